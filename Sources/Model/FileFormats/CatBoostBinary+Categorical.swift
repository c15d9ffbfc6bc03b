/// The categorical parts of a CatBoost `.cbm`: `TModelTrees.CatFeatures`, `OneHotFeatures` and
/// `CtrFeatures` in the core (`catboost/libs/model/flatbuffers/features.fbs`, `ctr_data.fbs`),
/// and the `static_provider_v1` model part after it, which holds the CTR tables
/// (`TCtrData::Load`, `TCtrValueTable::Load` in `catboost/libs/model/ctr_data.cpp`,
/// `ctr_value_table.cpp`): a size, then per table a size and a `TCtrValueTable` flatbuffer.
extension CatBoostBinary {
    private enum CatFeature { static let index = 0, flatIndex = 1, featureId = 2 }
    private enum OneHot { static let index = 0, values = 1 }
    private enum CtrFeature { static let ctr = 0, borders = 1 }
    private enum ModelCtr { static let base = 0, targetBorderIdx = 1, priorNum = 2, priorDenom = 3, shift = 4, scale = 5 }
    private enum CtrBase { static let featureCombination = 0, ctrType = 1 }
    private enum Combination { static let catFeatures = 0, floatSplits = 1, oneHotSplits = 2 }
    private enum ValueTable {
        static let modelCtrBase = 0, indexHashRaw = 1, ctrBlob = 2, counterDenominator = 3, targetClassesCount = 4
    }
    static let staticProviderPartID = "static_provider_v1"
    /// `NCatboost::TBucket`, packed: a ui64 key and a ui32 entry index.
    private static let bucketByteCount = 12

    static func decodeCategorical(
        reader: FlatBufferReader, trees: FlatBufferReader.Table, floatPositions: [Int: Int], parts: ModelPartsReader
    ) throws(ModelError) -> CatBoostJSON.CategoricalParts {
        var result = CatBoostJSON.CategoricalParts()
        var categoricalPositions: [Int: Int] = [:]
        for (position, table) in try reader.tables(trees, 4).enumerated() {
            let index = Int(try reader.int32(table, CatFeature.index, default: Int32(position)))
            categoricalPositions[index] = position
            let flatIndex = Int(try reader.int32(table, CatFeature.flatIndex, default: -1))
            result.features.append(
                CategoricalFeature(columnIndex: flatIndex >= 0 ? flatIndex : index, name: try reader.string(table, CatFeature.featureId) ?? ""))
        }
        let positions = CatBoostJSON.IndexPositions(categorical: categoricalPositions, float: floatPositions)
        for table in try reader.tables(trees, 6) {
            let index = Int(try reader.int32(table, OneHot.index, default: -1))
            guard let position = categoricalPositions[index] else { throw .invalid("CatBoost .cbm: one-hot feature of unknown categorical feature \(index)") }
            result.oneHotFeatures.append(
                OneHotFeature(categoricalFeatureIndex: position, values: try reader.int32s(table, OneHot.values).map { UInt32(bitPattern: $0) }))
        }
        var tablesByIdentity: [CatBoostJSON.TableIdentity: Int] = [:]
        for table in try parts.ctrTables(positions: positions) {
            let identity = CatBoostJSON.TableIdentity(combination: table.combination, type: table.type)
            guard tablesByIdentity[identity] == nil else { throw .invalid("CatBoost .cbm: two CTR tables of one combination and type") }
            tablesByIdentity[identity] = result.ctrTables.count
            result.ctrTables.append(table)
        }
        for table in try reader.tables(trees, 7) {
            result.ctrFeatures.append(try ctrFeature(reader: reader, table: table, positions: positions, tables: tablesByIdentity))
        }
        return result.orderingTablesByFirstUse()
    }

    private static func ctrFeature(
        reader: FlatBufferReader, table: FlatBufferReader.Table, positions: CatBoostJSON.IndexPositions,
        tables: [CatBoostJSON.TableIdentity: Int]
    ) throws(ModelError) -> CTRFeature {
        guard let ctr = try reader.table(table, CtrFeature.ctr), let base = try reader.table(ctr, ModelCtr.base) else {
            throw .invalid("CatBoost .cbm: a CTR feature without its TModelCtr")
        }
        let identity = try tableIdentity(reader: reader, base: base, positions: positions)
        guard let tableIndex = tables[identity] else {
            throw .invalid("CatBoost .cbm: no CTR table for a \(identity.type.catBoostName) CTR feature")
        }
        return CTRFeature(
            combination: identity.combination, type: identity.type, tableIndex: tableIndex,
            targetBorderIndex: Int(try reader.int32(ctr, ModelCtr.targetBorderIdx, default: 0)),
            priorNumerator: try reader.float(ctr, ModelCtr.priorNum, default: 0),
            priorDenominator: try reader.float(ctr, ModelCtr.priorDenom, default: 1),
            shift: try reader.float(ctr, ModelCtr.shift, default: 0), scale: try reader.float(ctr, ModelCtr.scale, default: 1),
            borders: try reader.floats(table, CtrFeature.borders))
    }

    static func tableIdentity(
        reader: FlatBufferReader, base: FlatBufferReader.Table, positions: CatBoostJSON.IndexPositions
    ) throws(ModelError) -> CatBoostJSON.TableIdentity {
        let typeByte = try reader.uint8(base, CtrBase.ctrType, default: 0)
        guard let type = CTRType(rawValue: typeByte) else { throw .invalid("CatBoost .cbm: unknown CTR type \(typeByte)") }
        guard let combination = try reader.table(base, CtrBase.featureCombination) else {
            throw .invalid("CatBoost .cbm: a CTR without its feature combination")
        }
        func position(_ index: Int32, in map: [Int: Int]) throws(ModelError) -> Int {
            guard let found = map[Int(index)] else { throw .invalid("CatBoost .cbm: a CTR names unknown feature \(index)") }
            return found
        }
        var result = FeatureCombination(categoricalFeatures: [])
        for index in try reader.int32s(combination, Combination.catFeatures) {
            result.categoricalFeatures.append(try position(index, in: positions.categorical))
        }
        let floatSplits = try reader.vector(combination, Combination.floatSplits, elementByteCount: 8)
        for element in 0..<floatSplits.count {
            let at = floatSplits.start + 8 * element
            result.floatSplits.append(
                .init(floatFeatureIndex: try position(try reader.i32(at), in: positions.float), border: Float(bitPattern: try reader.u32(at + 4))))
        }
        let oneHotSplits = try reader.vector(combination, Combination.oneHotSplits, elementByteCount: 8)
        for element in 0..<oneHotSplits.count {
            let at = oneHotSplits.start + 8 * element
            result.oneHotSplits.append(
                .init(categoricalFeatureIndex: try position(try reader.i32(at), in: positions.categorical), value: try reader.u32(at + 4)))
        }
        return CatBoostJSON.TableIdentity(combination: result, type: type)
    }

    /// One `TCtrValueTable` flatbuffer: buckets {key, entry} (empty ones keyed `CTRTable.emptyKey`)
    /// and the blob of entries, int counts or {float sum, int count} pairs.
    static func ctrTable(reader: FlatBufferReader, positions: CatBoostJSON.IndexPositions) throws(ModelError) -> CTRTable {
        let root = try reader.root()
        guard let base = try reader.table(root, ValueTable.modelCtrBase) else { throw .invalid("CatBoost .cbm: a CTR table without its CTR") }
        let identity = try tableIdentity(reader: reader, base: base, positions: positions)
        let type = identity.type
        let classCount = Int(try reader.int32(root, ValueTable.targetClassesCount, default: 0))
        let stride = type.storesMeanHistory || type.usesCounterDenominator ? 1 : classCount
        let entryByteCount = type.storesMeanHistory ? 8 : 4 * stride
        guard stride >= 1, stride <= 1 << 16 else { throw .invalid("CatBoost .cbm: a CTR table of \(classCount) target classes") }
        let blob = try reader.vector(root, ValueTable.ctrBlob, elementByteCount: 1)
        let buckets = try reader.vector(root, ValueTable.indexHashRaw, elementByteCount: 1)
        guard blob.count % entryByteCount == 0, buckets.count % bucketByteCount == 0 else {
            throw .invalid("CatBoost .cbm: a CTR table's blob or index has a partial entry")
        }
        let entryCount = blob.count / entryByteCount
        var keyOfEntry = [UInt64?](repeating: nil, count: entryCount)
        for bucket in 0..<(buckets.count / bucketByteCount) {
            let at = buckets.start + bucketByteCount * bucket
            let key = try reader.u64(at)
            guard key != CTRTable.emptyKey else { continue }
            let entry = Int(try reader.u32(at + 8))
            guard entry < entryCount, keyOfEntry[entry] == nil else {
                throw .invalid("CatBoost .cbm: a CTR table bucket names entry \(entry) of \(entryCount) or a taken one")
            }
            keyOfEntry[entry] = key
        }
        var keys: [UInt64] = []
        var counts: [Int32] = []
        var sums: [Float] = []
        // Entries no bucket reaches are unreachable at apply time too; they are dropped.
        for (entry, key) in keyOfEntry.enumerated() {
            guard let key else { continue }
            keys.append(key)
            let at = blob.start + entryByteCount * entry
            if type.storesMeanHistory {
                sums.append(Float(bitPattern: try reader.u32(at)))
                counts.append(try reader.i32(at + 4))
            } else {
                for offset in 0..<stride { counts.append(try reader.i32(at + 4 * offset)) }
            }
        }
        let table = CTRTable(
            combination: identity.combination, type: type, stride: stride,
            counterDenominator: type.usesCounterDenominator ? try reader.int32(root, ValueTable.counterDenominator, default: 0) : 0,
            keys: keys, counts: counts, sums: sums)
        try table.validate(context: "CatBoost .cbm CTR table")
        return table
    }
}
