/// The categorical parts of CatBoost's JSON model: `features_info.categorical_features` (with
/// one-hot `values`), `features_info.ctrs` and `ctr_data`, read and written as
/// `catboost/libs/model/model_export/json_model_helpers.cpp` does.
extension CatBoostJSON {
    struct CategoricalParts {
        var features: [CategoricalFeature] = []
        var oneHotFeatures: [OneHotFeature] = []
        var ctrFeatures: [CTRFeature] = []
        var ctrTables: [CTRTable] = []

        /// The split targets CatBoost's `split_index` counts after the float borders: every
        /// one-hot value, then every CTR border (split-feature indexes after `floatFeatureCount`).
        func binFeatures(floatFeatureCount: Int) -> [TreeSplit] {
            var result: [TreeSplit] = []
            for (index, oneHot) in oneHotFeatures.enumerated() {
                result += oneHot.values.indices.map { TreeSplit(featureIndex: floatFeatureCount + index, borderIndex: $0) }
            }
            for (index, ctr) in ctrFeatures.enumerated() {
                let feature = floatFeatureCount + oneHotFeatures.count + index
                result += ctr.borders.indices.map { TreeSplit(featureIndex: feature, borderIndex: $0) }
            }
            return result
        }

        /// The tables in the order the CTR features first use them, unused ones dropped: CatBoost
        /// orders `ctr_data` and the `.cbm` tables differently, and one model should read the same.
        func orderingTablesByFirstUse() -> CategoricalParts {
            var result = self
            var newIndex: [Int: Int] = [:]
            result.ctrTables = []
            for index in result.ctrFeatures.indices {
                let old = result.ctrFeatures[index].tableIndex
                if newIndex[old] == nil {
                    newIndex[old] = result.ctrTables.count
                    result.ctrTables.append(ctrTables[old])
                }
                result.ctrFeatures[index].tableIndex = newIndex[old]!
            }
            return result
        }
    }

    /// - Parameter floatPositions: float `feature_index` → position in the model's float features.
    static func decodeCategorical(root: JSONValue, info: JSONValue, floatPositions: [Int: Int]) throws(ModelError) -> CategoricalParts {
        var parts = CategoricalParts()
        var categoricalPositions: [Int: Int] = [:]
        for (position, entry) in (info["categorical_features"]?.arrayValue ?? []).enumerated() {
            let context = "categorical_features[\(position)]"
            let index = try integer(entry["feature_index"] ?? .number(Double(position)), "\(context).feature_index")
            categoricalPositions[index] = position
            parts.features.append(
                CategoricalFeature(
                    columnIndex: try integer(entry["flat_feature_index"], "\(context).flat_feature_index"),
                    name: entry["feature_id"]?.stringValue ?? ""))
            if let values = entry["values"], values != .null {
                guard let elements = values.arrayValue else { throw .invalid("\(context).values is not an array") }
                var hashes: [UInt32] = []
                for element in elements { hashes.append(try categoryHash(element, "\(context).values")) }
                parts.oneHotFeatures.append(OneHotFeature(categoricalFeatureIndex: position, values: hashes))
            }
        }
        let positions = IndexPositions(categorical: categoricalPositions, float: floatPositions)
        var tablesByIdentity: [TableIdentity: Int] = [:]
        if case .object(let members)? = root["ctr_data"] {
            for (key, tableJSON) in members {
                let identity = try tableIdentity(key, positions: positions)
                guard tablesByIdentity[identity] == nil else { throw .invalid("ctr_data lists \(key) twice") }
                tablesByIdentity[identity] = parts.ctrTables.count
                parts.ctrTables.append(try table(tableJSON, identity: identity, context: "ctr_data[\(key)]"))
            }
        }
        for (position, entry) in (info["ctrs"]?.arrayValue ?? []).enumerated() {
            parts.ctrFeatures.append(
                try ctrFeature(entry, context: "ctrs[\(position)]", positions: positions, tables: tablesByIdentity))
        }
        return parts.orderingTablesByFirstUse()
    }

    /// Feature indexes as CatBoost numbers them → positions in our lists.
    struct IndexPositions {
        var categorical: [Int: Int]
        var float: [Int: Int]
    }

    struct TableIdentity: Hashable {
        var combination: FeatureCombination
        var type: CTRType
    }

    private static func ctrFeature(
        _ entry: JSONValue, context: String, positions: IndexPositions, tables: [TableIdentity: Int]
    ) throws(ModelError) -> CTRFeature {
        let combination = try featureCombination(entry["elements"], context: "\(context).elements", positions: positions)
        let type = try ctrType(entry["ctr_type"], context: "\(context).ctr_type")
        guard let tableIndex = tables[TableIdentity(combination: combination, type: type)] else {
            throw .invalid("\(context): ctr_data has no table for its elements and type \(type.catBoostName)")
        }
        let borders = try numbers(entry["borders"] ?? .array([]), "\(context).borders").map { Float($0) }
        return CTRFeature(
            combination: combination, type: type, tableIndex: tableIndex,
            targetBorderIndex: try integer(entry["target_border_idx"] ?? .number(0), "\(context).target_border_idx"),
            priorNumerator: try float(entry["prior_numerator"], default: 0, "\(context).prior_numerator"),
            priorDenominator: try float(entry["prior_denomerator"], default: 1, "\(context).prior_denomerator"),
            shift: try float(entry["shift"], default: 0, "\(context).shift"),
            scale: try float(entry["scale"], default: 1, "\(context).scale"), borders: borders)
    }

    /// A `ctr_data` key: `{"identifier":[elements…],"type":"Borders"}` as JSON text.
    private static func tableIdentity(_ key: String, positions: IndexPositions) throws(ModelError) -> TableIdentity {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(key) } catch { throw .invalid("ctr_data key \(key) is not JSON: \(error)") }
        return TableIdentity(
            combination: try featureCombination(parsed["identifier"], context: "ctr_data key \(key)", positions: positions),
            type: try ctrType(parsed["type"], context: "ctr_data key \(key)"))
    }

    private static func featureCombination(
        _ value: JSONValue?, context: String, positions: IndexPositions
    ) throws(ModelError) -> FeatureCombination {
        guard let elements = value?.arrayValue else { throw .invalid("\(context) is missing or not an array") }
        var combination = FeatureCombination(categoricalFeatures: [])
        for (position, element) in elements.enumerated() {
            let elementContext = "\(context)[\(position)]"
            func lookup(_ key: String, in map: [Int: Int]) throws(ModelError) -> Int {
                let index = try integer(element[key], "\(elementContext).\(key)")
                guard let found = map[index] else { throw .invalid("\(elementContext).\(key) \(index) names no feature") }
                return found
            }
            switch element["combination_element"]?.stringValue {
            case "cat_feature_value":
                combination.categoricalFeatures.append(try lookup("cat_feature_index", in: positions.categorical))
            case "float_feature":
                guard let border = element["border"]?.numberValue else { throw .invalid("\(elementContext).border is not a number") }
                combination.floatSplits.append(
                    .init(floatFeatureIndex: try lookup("float_feature_index", in: positions.float), border: Float(border)))
            case "cat_feature_exact_value":
                combination.oneHotSplits.append(
                    .init(
                        categoricalFeatureIndex: try lookup("cat_feature_index", in: positions.categorical),
                        value: try categoryHash(element["value"], "\(elementContext).value")))
            default:
                throw .invalid("\(elementContext).combination_element is not cat_feature_value, float_feature or cat_feature_exact_value")
            }
        }
        return combination
    }

    /// One `ctr_data` table: `hash_map` is a flat list of `hash_stride` entries per key, the key
    /// as a decimal string, then its counts (or, for the mean types, sum and count).
    private static func table(_ json: JSONValue, identity: TableIdentity, context: String) throws(ModelError) -> CTRTable {
        let hashStride = try integer(json["hash_stride"], "\(context).hash_stride")
        guard let hashMap = json["hash_map"]?.arrayValue else { throw .invalid("\(context).hash_map is not an array") }
        let type = identity.type
        let stride = type.storesMeanHistory || type.usesCounterDenominator ? 1 : hashStride - 1
        guard stride >= 1, hashStride == (type.storesMeanHistory ? 3 : stride + 1), hashMap.count % hashStride == 0 else {
            throw .invalid("\(context): hash_stride \(hashStride) does not fit a \(type.catBoostName) table of \(hashMap.count) values")
        }
        var keys: [UInt64] = []
        var counts: [Int32] = []
        var sums: [Float] = []
        for start in Swift.stride(from: 0, to: hashMap.count, by: hashStride) {
            let key: UInt64? = hashMap[start].stringValue.flatMap { UInt64($0) }
                ?? hashMap[start].numberValue.flatMap { UInt64(exactly: $0) }
            guard let key else { throw .invalid("\(context).hash_map[\(start)] is not a 64-bit key") }
            // CatBoost's writer also emits one empty bucket, under the empty-bucket key; it is no entry.
            if key == CTRTable.emptyKey { continue }
            keys.append(key)
            if type.storesMeanHistory {
                sums.append(try float(hashMap[start + 1], default: 0, "\(context).hash_map[\(start + 1)]"))
                counts.append(try count(hashMap[start + 2], "\(context).hash_map[\(start + 2)]"))
            } else {
                for offset in 1..<hashStride { counts.append(try count(hashMap[start + offset], "\(context).hash_map[\(start + offset)]")) }
            }
        }
        let denominator = type.usesCounterDenominator
            ? try count(json["counter_denominator"] ?? .number(0), "\(context).counter_denominator") : 0
        let table = CTRTable(
            combination: identity.combination, type: type, stride: stride, counterDenominator: denominator, keys: keys,
            counts: counts, sums: sums)
        try table.validate(context: context)
        return table
    }

    private static func ctrType(_ value: JSONValue?, context: String) throws(ModelError) -> CTRType {
        guard let name = value?.stringValue, let type = CTRType(catBoostName: name) else {
            throw .invalid("\(context): CTR type \(value?.stringValue ?? "(missing)") is unknown")
        }
        return type
    }

    /// CatBoost writes category hashes as int32 (`TOneHotFeature.Values`).
    private static func categoryHash(_ value: JSONValue?, _ context: String) throws(ModelError) -> UInt32 {
        guard let number = value?.numberValue, let exact = Int64(exactly: number), exact >= Int64(Int32.min),
            exact <= Int64(UInt32.max)
        else { throw .invalid("\(context) is not a 32-bit category hash") }
        return UInt32(truncatingIfNeeded: exact)
    }

    private static func count(_ value: JSONValue?, _ context: String) throws(ModelError) -> Int32 {
        guard let number = value?.numberValue, let exact = Int32(exactly: number) else {
            throw .invalid("\(context) is not a 32-bit count")
        }
        return exact
    }

    private static func float(_ value: JSONValue?, default fallback: Float, _ context: String) throws(ModelError) -> Float {
        guard let value, value != .null else { return fallback }
        guard let number = value.numberValue else { throw .invalid("\(context) is not a number") }
        return Float(number)
    }
}

// MARK: - Export

extension CatBoostJSON {
    /// `categorical_features` (one-hot `values` as int32, as CatBoost stores them).
    static func categoricalFeaturesJSON(_ ensemble: Ensemble) -> JSONValue {
        .array(
            ensemble.categoricalFeatures.enumerated().map { index, feature in
                var members: [(String, JSONValue)] = [
                    ("feature_id", .string(feature.name)), ("feature_index", .number(Double(index))),
                    ("flat_feature_index", .number(Double(feature.columnIndex))),
                ]
                if let oneHot = ensemble.oneHotFeatures.first(where: { $0.categoricalFeatureIndex == index }) {
                    members.append(("values", .array(oneHot.values.map { .number(Double(Int32(bitPattern: $0))) })))
                }
                return .object(members)
            })
    }

    static func ctrsJSON(_ ensemble: Ensemble) -> JSONValue {
        .array(
            ensemble.ctrFeatures.map { ctr in
                .object([
                    ("borders", .array(ctr.borders.map { .number(Double($0)) })),
                    ("ctr_type", .string(ctr.type.catBoostName)),
                    ("elements", elementsJSON(ctr.combination)),
                    ("identifier", .string(tableKey(ctr.combination, ctr.type))),
                    ("prior_denomerator", .number(Double(ctr.priorDenominator))),
                    ("prior_numerator", .number(Double(ctr.priorNumerator))),
                    ("scale", .number(Double(ctr.scale))),
                    ("shift", .number(Double(ctr.shift))),
                    ("target_border_idx", .number(Double(ctr.targetBorderIndex))),
                ])
            })
    }

    /// `ctr_data`: per table, its key and a flat `hash_map` of key (decimal string) and counts.
    static func ctrDataJSON(_ ensemble: Ensemble) -> JSONValue {
        .object(
            ensemble.ctrTables.map { table in
                var hashMap: [JSONValue] = []
                hashMap.reserveCapacity(table.entryCount * (table.stride + 2))
                for entry in 0..<table.entryCount {
                    hashMap.append(.string(String(table.keys[entry])))
                    if table.type.storesMeanHistory {
                        hashMap.append(.number(Double(table.sums[entry])))
                        hashMap.append(.number(Double(table.counts[entry])))
                    } else {
                        for offset in 0..<table.stride { hashMap.append(.number(Double(table.counts[entry * table.stride + offset]))) }
                    }
                }
                let hashStride = table.type.storesMeanHistory ? 3 : table.stride + 1
                return (
                    tableKey(table.combination, table.type),
                    .object([
                        ("counter_denominator", .number(Double(table.counterDenominator))), ("hash_map", .array(hashMap)),
                        ("hash_stride", .number(Double(hashStride))),
                    ])
                )
            })
    }

    /// A tree split on a one-hot or CTR feature, with the fields CatBoost writes for people
    /// (its loader reads only `split_index`).
    static func categoricalSplitJSON(_ ensemble: Ensemble, _ split: TreeSplit, splitIndex: Int) -> JSONValue {
        switch ensemble.splitFeature(at: split.featureIndex) {
        case .oneHot(let index):
            let oneHot = ensemble.oneHotFeatures[index]
            return .object([
                ("cat_feature_index", .number(Double(oneHot.categoricalFeatureIndex))), ("split_index", .number(Double(splitIndex))),
                ("split_type", .string("OneHotFeature")),
                ("value", .number(Double(Int32(bitPattern: oneHot.values[split.borderIndex])))),
            ])
        case .ctr(let index):
            let ctr = ensemble.ctrFeatures[index]
            return .object([
                ("border", .number(Double(ctr.borders[split.borderIndex]))),
                ("ctr_target_border_idx", .number(Double(ctr.targetBorderIndex))), ("split_index", .number(Double(splitIndex))),
                ("split_type", .string("OnlineCtr")),
            ])
        case .float:
            preconditionFailure("float splits are written by encode")
        }
    }

    /// `TFeatureCombination` as JSON elements: categorical features, float splits, one-hot splits.
    private static func elementsJSON(_ combination: FeatureCombination) -> JSONValue {
        var elements: [JSONValue] = combination.categoricalFeatures.map { feature in
            .object([("cat_feature_index", .number(Double(feature))), ("combination_element", .string("cat_feature_value"))])
        }
        for split in combination.floatSplits {
            elements.append(
                .object([
                    ("border", .number(Double(split.border))), ("combination_element", .string("float_feature")),
                    ("float_feature_index", .number(Double(split.floatFeatureIndex))),
                ]))
        }
        for split in combination.oneHotSplits {
            elements.append(
                .object([
                    ("cat_feature_index", .number(Double(split.categoricalFeatureIndex))),
                    ("combination_element", .string("cat_feature_exact_value")),
                    ("value", .number(Double(Int32(bitPattern: split.value)))),
                ]))
        }
        return .array(elements)
    }

    /// The table's key text, `{"identifier":[…],"type":"…"}` (`ModelCtrBaseToStr`).
    private static func tableKey(_ combination: FeatureCombination, _ type: CTRType) -> String {
        var writer = JSONWriter()
        writer.write(.object([("identifier", elementsJSON(combination)), ("type", .string(type.catBoostName))]))
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
