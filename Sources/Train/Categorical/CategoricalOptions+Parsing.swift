extension CategoricalOptions {
    /// Sets one hyperparameter of this group from its SageMaker string value.
    mutating func set(_ key: String, _ value: String) throws(TrainingError) {
        switch key {
        case "cat_features":
            let parsed = try CategoricalDeclaration(catFeatures: value)
            declaration.featureIndexes = parsed.featureIndexes
            declaration.featureNames = parsed.featureNames
        case "one_hot_max_size": oneHotMaxSize = try TrainingParameters.integer(key, value, in: 0...255)
        case "max_ctr_complexity": maxCTRComplexity = try TrainingParameters.integer(key, value, in: 0...16)
        case "simple_ctr": simpleCTR = try CTRDescription.list(parsing: value, key: key)
        case "combinations_ctr": combinationsCTR = try CTRDescription.list(parsing: value, key: key)
        case "per_feature_ctr": perFeatureCTR = try Self.perFeature(parsing: value)
        case "counter_calc_method":
            // SkipTest (CatBoost's default) counts learn objects only; Full would count the
            // validation rows too, which this trainer does not do.
            guard value == "SkipTest" else {
                throw TrainingError("hyperparameter counter_calc_method=\(value) is not supported: Counter CTRs count the learn rows (SkipTest)")
            }
        case "model_size_reg": modelSizeReg = try TrainingParameters.number(key, value, atLeast: 0)
        case "permutation_count": permutationCount = try TrainingParameters.integer(key, value, in: 1...64)
        default: preconditionFailure("\(key) is not a categorical option")
        }
    }
}
