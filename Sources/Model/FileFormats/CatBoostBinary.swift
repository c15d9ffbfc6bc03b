/// CatBoost's binary model format (`.cbm`): float, one-hot and CTR features.
///
/// Layout (`TFullModel::Save/Load` in `catboost/libs/model/model.cpp`): ASCII `CBM1`, a
/// little-endian ui32 size N of the flatbuffer (0xFFFFFFFF then a ui64 for huge models), N bytes
/// of flatbuffer with root `NCatBoostFbs.TModelCore`, then the model parts named in
/// `ModelPartIds` (categorical CTR tables; empty for numeric models). Field ids follow the
/// declaration order in `model.fbs` / `features.fbs`.
public enum CatBoostBinary {
    public static let magic: [UInt8] = Array("CBM1".utf8)

    private enum Core { static let formatVersion = 0, modelTrees = 1, infoMap = 2, modelPartIds = 3 }
    private enum Trees {
        static let approxDimension = 0, treeSplits = 1, treeSizes = 2, treeStartOffsets = 3, catFeatures = 4
        static let floatFeatures = 5, oneHotFeatures = 6, ctrFeatures = 7, leafValues = 8, leafWeights = 9
        static let nonSymmetricStepNodes = 10, textFeatures = 12, estimatedFeatures = 13, scale = 14, bias = 15
        static let multiBias = 16, embeddingFeatures = 18
    }
    private enum Float_ { static let hasNans = 0, index = 1, flatIndex = 2, borders = 3, featureId = 4, nanValueTreatment = 5 }

    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Ensemble {
        guard bytes.count >= 8, Array(bytes[0..<4]) == magic else {
            throw ModelError("not a CatBoost .cbm model: the file does not start with CBM1")
        }
        var coreStart = 8
        var coreByteCount = Int(readLittleEndianUInt32(bytes, 4))
        if coreByteCount == 0xFFFF_FFFF {
            guard bytes.count >= 16 else { throw .invalid("CatBoost .cbm: truncated size") }
            let large = UInt64(readLittleEndianUInt32(bytes, 8)) | UInt64(readLittleEndianUInt32(bytes, 12)) << 32
            guard large <= UInt64(bytes.count) else { throw .invalid("CatBoost .cbm: truncated model core") }
            coreByteCount = Int(large)
            coreStart = 16
        }
        guard coreByteCount >= 8, coreStart + coreByteCount <= bytes.count else {
            throw .invalid("CatBoost .cbm: the model core claims \(coreByteCount) bytes but the file has \(bytes.count - coreStart)")
        }
        let reader = FlatBufferReader(bytes: bytes, start: coreStart, end: coreStart + coreByteCount)
        let core = try reader.root()
        let formatVersion = try reader.string(core, Core.formatVersion) ?? ""
        guard formatVersion == "FlabuffersModel_v1" else {
            throw .unsupported("CatBoost .cbm format version '\(formatVersion)' (expected FlabuffersModel_v1)")
        }
        var info: [String: String] = [:]
        for entry in try reader.tables(core, Core.infoMap) {
            if let key = try reader.string(entry, 0) { info[key] = try reader.string(entry, 1) ?? "" }
        }
        guard let trees = try reader.table(core, Core.modelTrees) else { throw .invalid("CatBoost .cbm: no ModelTrees") }
        let approxDimension = try reader.int32(trees, Trees.approxDimension, default: 1)
        guard approxDimension == 1 else { throw .unsupported("multi-dimensional models (approx dimension \(approxDimension))") }
        for (id, what) in [
            (Trees.textFeatures, "text features"), (Trees.embeddingFeatures, "embedding features"),
            (Trees.estimatedFeatures, "estimated features"),
        ] where try reader.vector(trees, id, elementByteCount: 4).count > 0 {
            throw .unsupported("models with \(what)")
        }
        guard try reader.vector(trees, Trees.nonSymmetricStepNodes, elementByteCount: 4).count == 0 else {
            throw .unsupported("non-symmetric trees (grow_policy Depthwise/Lossguide); only oblivious trees are supported")
        }

        var features: [FloatFeature] = []
        var floatPositions: [Int: Int] = [:]
        var binFeatures: [TreeSplit] = []
        for table in try reader.tables(trees, Trees.floatFeatures) {
            let borders = try reader.floats(table, Float_.borders)
            let flatIndex = Int(try reader.int32(table, Float_.flatIndex, default: -1))
            let index = Int(try reader.int32(table, Float_.index, default: -1))
            let treatmentByte = try reader.uint8(table, Float_.nanValueTreatment, default: 0)
            guard let treatment = NanValueTreatment(rawValue: treatmentByte) else {
                throw .invalid("CatBoost .cbm: unknown NanValueTreatment \(treatmentByte)")
            }
            for borderIndex in borders.indices {
                binFeatures.append(TreeSplit(featureIndex: features.count, borderIndex: borderIndex))
            }
            floatPositions[index >= 0 ? index : features.count] = features.count
            features.append(
                FloatFeature(
                    columnIndex: flatIndex >= 0 ? flatIndex : index, borders: borders,
                    hasNans: try reader.uint8(table, Float_.hasNans, default: 0) != 0, nanValueTreatment: treatment,
                    name: try reader.string(table, Float_.featureId) ?? ""))
        }

        var partIDs: [String] = []
        if let partsVector = try reader.reference(core, Core.modelPartIds) {
            let count = Int(try reader.u32(partsVector))
            guard count <= 16 else { throw .invalid("CatBoost .cbm: \(count) model parts") }
            for element in 0..<count {
                let slot = partsVector + 4 + 4 * element
                let string = slot + Int(try reader.u32(slot))
                let length = Int(try reader.u32(string))
                guard length <= 256, string + 4 + length <= coreStart + coreByteCount else {
                    throw .invalid("CatBoost .cbm: a model part name does not fit the core")
                }
                partIDs.append(String(decoding: bytes[(string + 4)..<(string + 4 + length)], as: UTF8.self))
            }
        }
        let parts = try ModelPartsReader(bytes: bytes, start: coreStart + coreByteCount, partIDs: partIDs)
        let categorical = try decodeCategorical(reader: reader, trees: trees, floatPositions: floatPositions, parts: parts)
        binFeatures += categorical.binFeatures(floatFeatureCount: features.count)

        let splitIndices = try reader.int32s(trees, Trees.treeSplits)
        let treeDepths = try reader.int32s(trees, Trees.treeSizes)
        let leafValues = try reader.doubles(trees, Trees.leafValues)
        let leafWeights = try reader.doubles(trees, Trees.leafWeights)
        var ensembleTrees: [ObliviousTree] = []
        ensembleTrees.reserveCapacity(treeDepths.count)
        var splitCursor = 0
        var leafCursor = 0
        for (treeIndex, depth32) in treeDepths.enumerated() {
            let depth = Int(depth32)
            guard depth >= 0, depth <= ObliviousTree.depthMax else {
                throw .invalid("CatBoost .cbm: tree \(treeIndex) has depth \(depth)")
            }
            guard splitCursor + depth <= splitIndices.count else {
                throw .invalid("CatBoost .cbm: TreeSplits has \(splitIndices.count) entries, too few for the trees")
            }
            var splits: [TreeSplit] = []
            for level in 0..<depth {
                let splitIndex = Int(splitIndices[splitCursor + level])
                guard splitIndex >= 0, splitIndex < binFeatures.count else {
                    throw .invalid("CatBoost .cbm: tree \(treeIndex) split \(level) index \(splitIndex) is past the \(binFeatures.count) bin features")
                }
                splits.append(binFeatures[splitIndex])
            }
            let leafCount = 1 << depth
            guard leafCursor + leafCount <= leafValues.count else {
                throw .invalid("CatBoost .cbm: LeafValues has \(leafValues.count) entries, too few for the trees")
            }
            let weights = leafWeights.count >= leafCursor + leafCount
                ? Array(leafWeights[leafCursor..<(leafCursor + leafCount)]) : []
            ensembleTrees.append(
                ObliviousTree(splits: splits, leafValues: Array(leafValues[leafCursor..<(leafCursor + leafCount)]), leafWeights: weights))
            splitCursor += depth
            leafCursor += leafCount
        }
        guard splitCursor == splitIndices.count, leafCursor == leafValues.count else {
            throw .invalid("CatBoost .cbm: TreeSplits/LeafValues do not match TreeSizes")
        }

        let scale = try reader.double(trees, Trees.scale, default: 1)
        let multiBias = try reader.doubles(trees, Trees.multiBias)
        guard multiBias.count <= 1 else { throw .unsupported("multi-dimensional models (\(multiBias.count) biases)") }
        let scalarBias = try reader.double(trees, Trees.bias, default: 0)
        let bias = multiBias.first ?? scalarBias

        var lossFunction = "RMSE"
        var parametersJSON = ""
        if let params = info["params"], let parsed = try? JSONValue.parse(params) {
            if let loss = parsed["loss_function"] { lossFunction = CatBoostJSON.lossFunctionName(loss) }
            parametersJSON = params
        }
        let ensemble = Ensemble(
            features: features, categoricalFeatures: categorical.features, oneHotFeatures: categorical.oneHotFeatures,
            ctrFeatures: categorical.ctrFeatures, ctrTables: categorical.ctrTables, trees: ensembleTrees, scale: scale,
            bias: bias, lossFunction: lossFunction, parametersJSON: parametersJSON)
        try ensemble.validate()
        return ensemble
    }
}
