/// CatBoost's JSON model format (`save_model(path, format="json")`), read and written.
///
/// Reader and writer follow `catboost/libs/model/model_export/json_model_helpers.cpp`:
/// a tree split is identified only by `split_index`, an index into the list of every border of
/// every float feature (features in `float_features` order, borders in list order), then one-hot
/// values, then CTR borders. Text, embedding and estimated features are rejected with a clear
/// error rather than mis-evaluated.
public enum CatBoostJSON {
    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Ensemble {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw ModelError("CatBoost JSON model: \(error)")
        }
        return try decode(root)
    }

    package static func decode(_ root: JSONValue) throws(ModelError) -> Ensemble {
        guard case .object = root else { throw .invalid("CatBoost JSON model: the document is not an object") }
        if let trees = root["trees"], trees != .null {
            throw .unsupported("non-symmetric trees (grow_policy Depthwise/Lossguide); only oblivious trees are supported")
        }
        guard let info = root["features_info"] else { throw .invalid("CatBoost JSON model: missing features_info") }
        for unsupportedKey in ["text_features", "embedding_features", "estimated_features"] {
            if let value = info[unsupportedKey], let elements = value.arrayValue, !elements.isEmpty {
                throw .unsupported("models with \(unsupportedKey.replacing("_", with: " "))")
            }
        }
        let floatFeatures = info["float_features"]?.arrayValue ?? []
        var features: [FloatFeature] = []
        var floatPositions: [Int: Int] = [:]
        // split_index → (feature, border)
        var binFeatures: [TreeSplit] = []
        for (position, entry) in floatFeatures.enumerated() {
            let context = "float_features[\(position)]"
            guard let bordersJSON = entry["borders"]?.arrayValue ?? (entry["borders"] == .null || entry["borders"] == nil ? [] : nil) else {
                throw .invalid("\(context).borders is not an array")
            }
            var borders: [Float] = []
            borders.reserveCapacity(bordersJSON.count)
            for border in bordersJSON {
                guard let value = border.numberValue else { throw .invalid("\(context).borders has a non-number") }
                borders.append(Float(value))
            }
            let columnIndex = try integer(entry["flat_feature_index"] ?? entry["feature_index"], "\(context).flat_feature_index")
            let treatmentName = entry["nan_value_treatment"]?.stringValue ?? "AsIs"
            guard let treatment = NanValueTreatment(catBoostName: treatmentName) else {
                throw .invalid("\(context).nan_value_treatment '\(treatmentName)' is not AsIs, AsFalse or AsTrue")
            }
            let hasNans = entry["has_nans"]?.boolValue ?? false
            let name = entry["feature_id"]?.stringValue ?? ""
            for borderIndex in borders.indices {
                binFeatures.append(TreeSplit(featureIndex: features.count, borderIndex: borderIndex))
            }
            floatPositions[try integer(entry["feature_index"] ?? .number(Double(position)), "\(context).feature_index")] = position
            features.append(
                FloatFeature(columnIndex: columnIndex, borders: borders, hasNans: hasNans, nanValueTreatment: treatment, name: name))
        }
        let categorical = try decodeCategorical(root: root, info: info, floatPositions: floatPositions)
        binFeatures += categorical.binFeatures(floatFeatureCount: features.count)

        guard let treesJSON = root["oblivious_trees"]?.arrayValue ?? (root["oblivious_trees"] == nil ? [] : nil) else {
            throw .invalid("oblivious_trees is not an array")
        }
        var trees: [ObliviousTree] = []
        trees.reserveCapacity(treesJSON.count)
        for (treeIndex, treeJSON) in treesJSON.enumerated() {
            let context = "oblivious_trees[\(treeIndex)]"
            let splitsJSON = treeJSON["splits"]?.arrayValue ?? []
            var splits: [TreeSplit] = []
            for (level, splitJSON) in splitsJSON.enumerated() {
                let splitIndex = try integer(splitJSON["split_index"], "\(context).splits[\(level)].split_index")
                guard splitIndex < binFeatures.count else {
                    throw .invalid("\(context).splits[\(level)].split_index \(splitIndex) is past the \(binFeatures.count) bin features")
                }
                splits.append(binFeatures[splitIndex])
            }
            guard splits.count <= ObliviousTree.depthMax else {
                throw .invalid("\(context) has depth \(splits.count) > \(ObliviousTree.depthMax)")
            }
            let leafValues = try numbers(treeJSON["leaf_values"], "\(context).leaf_values")
            if leafValues.count != 1 << splits.count, leafValues.count % (1 << splits.count) == 0 {
                throw .unsupported("multi-dimensional models (\(leafValues.count >> splits.count) values per leaf)")
            }
            var leafWeights: [Double] = []
            if let weights = treeJSON["leaf_weights"], weights != .null {
                leafWeights = try numbers(weights, "\(context).leaf_weights")
            }
            trees.append(ObliviousTree(splits: splits, leafValues: leafValues, leafWeights: leafWeights))
        }

        var scale = 1.0
        var bias = 0.0
        if let scaleAndBias = root["scale_and_bias"]?.arrayValue {
            guard scaleAndBias.count == 2, let scaleValue = scaleAndBias[0].numberValue else {
                throw .invalid("scale_and_bias is not [scale, [bias]]")
            }
            scale = scaleValue
            if let biases = scaleAndBias[1].arrayValue {
                guard biases.count <= 1 else { throw .unsupported("multi-dimensional models (\(biases.count) biases)") }
                if let first = biases.first {
                    guard let value = first.numberValue else { throw .invalid("scale_and_bias bias is not a number") }
                    bias = value
                }
            } else if let value = scaleAndBias[1].numberValue {
                bias = value
            } else {
                throw .invalid("scale_and_bias is not [scale, [bias]]")
            }
        }

        var lossFunction = "RMSE"
        var parametersJSON = ""
        if let params = root["model_info"]?["params"], case .object = params {
            if let loss = params["loss_function"] {
                lossFunction = lossFunctionName(loss)
            }
            var writer = JSONWriter()
            writer.write(params)
            parametersJSON = String(decoding: writer.bytes, as: UTF8.self)
        }
        let ensemble = Ensemble(
            features: features, categoricalFeatures: categorical.features, oneHotFeatures: categorical.oneHotFeatures,
            ctrFeatures: categorical.ctrFeatures, ctrTables: categorical.ctrTables, trees: trees, scale: scale, bias: bias,
            lossFunction: lossFunction, parametersJSON: parametersJSON)
        try ensemble.validate()
        return ensemble
    }

    /// `{"type":"Tweedie","params":{"variance_power":"1.5"}}` → `"Tweedie:variance_power=1.5"`.
    static func lossFunctionName(_ loss: JSONValue) -> String {
        guard let type = loss["type"]?.stringValue else { return loss.stringValue ?? "RMSE" }
        guard case .object(let members)? = loss["params"] else { return type }
        let parameters = members.filter { !$0.0.hasPrefix("__") }.compactMap { member -> String? in
            if let text = member.1.stringValue { return "\(member.0)=\(text)" }
            if let number = member.1.numberValue { return "\(member.0)=\(number)" }
            return nil
        }
        return parameters.isEmpty ? type : type + ":" + parameters.joined(separator: ";")
    }

    /// `"Tweedie:variance_power=1.5"` → `{"type":"Tweedie","params":{"variance_power":"1.5"}}`.
    static func lossFunctionJSON(_ name: String) -> JSONValue {
        let parts = name.split(separator: ":", maxSplits: 1)
        let type = parts.first.map(String.init) ?? "RMSE"
        var parameters: [(String, JSONValue)] = []
        if parts.count == 2 {
            for pair in parts[1].split(separator: ";") {
                let keyValue = pair.split(separator: "=", maxSplits: 1)
                if keyValue.count == 2 { parameters.append((String(keyValue[0]), .string(String(keyValue[1])))) }
            }
        }
        return .object([("type", .string(type)), ("params", .object(parameters))])
    }

    static func integer(_ value: JSONValue?, _ context: String) throws(ModelError) -> Int {
        guard let number = value?.numberValue, number.rounded() == number, number >= 0, number < Double(Int32.max) else {
            throw .invalid("\(context) is not a non-negative integer")
        }
        return Int(number)
    }

    static func numbers(_ value: JSONValue?, _ context: String) throws(ModelError) -> [Double] {
        guard let elements = value?.arrayValue else { throw .invalid("\(context) is missing or not an array") }
        var result: [Double] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let number = element.numberValue else { throw .invalid("\(context) has a non-number") }
            result.append(number)
        }
        return result
    }

    // MARK: - Export

    /// CatBoost JSON that `CatBoost().load_model(path, format="json")` loads and predicts identically.
    public static func encode(_ ensemble: Ensemble) throws(ModelError) -> [UInt8] {
        try ensemble.validate()
        // split_index counts every float border, then every one-hot value, then every CTR border.
        var splitIndexStart: [Int] = []
        var running = 0
        for index in 0..<ensemble.splitFeatureCount {
            splitIndexStart.append(running)
            running += ensemble.splitFeature(at: index).thresholdCount(in: ensemble)
        }
        var floatFeatures: [JSONValue] = []
        for (featureIndex, feature) in ensemble.features.enumerated() {
            floatFeatures.append(
                .object([
                    ("borders", .array(feature.borders.map { .number(Double($0)) })),
                    ("feature_id", .string(feature.name)),
                    ("feature_index", .number(Double(featureIndex))),
                    ("flat_feature_index", .number(Double(feature.columnIndex))),
                    ("has_nans", .bool(feature.hasNans)),
                    ("nan_value_treatment", .string(feature.nanValueTreatment.catBoostName)),
                ]))
        }
        let trees: [JSONValue] = ensemble.trees.map { tree in
            var members: [(String, JSONValue)] = [("leaf_values", .array(tree.leafValues.map { .number($0) }))]
            if !tree.leafWeights.isEmpty {
                members.append(("leaf_weights", .array(tree.leafWeights.map { .number($0) })))
            }
            members.append(
                (
                    "splits",
                    .array(
                        tree.splits.map { split in
                            let splitIndex = splitIndexStart[split.featureIndex] + split.borderIndex
                            guard split.featureIndex < ensemble.features.count else {
                                return categoricalSplitJSON(ensemble, split, splitIndex: splitIndex)
                            }
                            return .object([
                                ("border", .number(Double(ensemble.features[split.featureIndex].borders[split.borderIndex]))),
                                ("float_feature_index", .number(Double(split.featureIndex))),
                                ("split_index", .number(Double(splitIndex))),
                                ("split_type", .string("FloatFeature")),
                            ])
                        })
                ))
            return .object(members)
        }
        var params: [(String, JSONValue)] = []
        if !ensemble.parametersJSON.isEmpty, case .object(let stored)? = try? JSONValue.parse(ensemble.parametersJSON) {
            params = stored.filter { $0.0 != "loss_function" }
        }
        params.insert(("loss_function", lossFunctionJSON(ensemble.lossFunction)), at: 0)
        var featuresInfo: [(String, JSONValue)] = [("float_features", .array(floatFeatures))]
        var document: [(String, JSONValue)] = []
        if ensemble.hasCategoricalFeatures {
            featuresInfo.append(("categorical_features", categoricalFeaturesJSON(ensemble)))
            featuresInfo.append(("ctrs", ctrsJSON(ensemble)))
            document.append(("ctr_data", ctrDataJSON(ensemble)))
        }
        document += [
            ("features_info", .object(featuresInfo)),
            ("model_info", .object([("params", .object(params))])),
            ("oblivious_trees", .array(trees)),
            ("scale_and_bias", .array([.number(ensemble.scale), .array([.number(ensemble.bias)])])),
        ]
        var writer = JSONWriter()
        writer.write(.object(document))
        return writer.bytes
    }
}
