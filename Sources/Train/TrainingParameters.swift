/// Every training option, by CatBoost's names, with CatBoost 1.2.10's defaults resolved
/// (catboost/private/libs/options/boosting_options.cpp, oblivious_tree_options.cpp and
/// catboost_options.cpp in CatBoost's sources). Data-dependent defaults (learning rate,
/// subsample, leaf estimation iterations) are resolved by `resolved(rowCount:featureCount:hasEvalSet:)`.
public struct TrainingParameters: Sendable, Hashable {
    public var iterations = 1000
    /// nil until resolved: CatBoost's automatic rate, or 0.03 for losses without one.
    public var learningRate: Double?
    public var depth = 6
    public var l2LeafReg = 3.0
    public var l2LeafRegWasSet = false
    public var borderCount = 254
    public var nanMode = NanMode.min
    public var scoreFunction = ScoreFunction.cosine
    public var randomStrength = 1.0
    public var bootstrapType = BootstrapType.mvs
    /// nil: 0.8 for MVS (1.0 below 100 objects), 0.66 for Bernoulli.
    public var subsample: Double?
    public var baggingTemperature = 1.0
    /// nil: automatic (CatBoost's MVS regularizer from the previous tree).
    public var mvsReg: Double?
    public var samplingFrequency = SamplingFrequency.perTree
    /// Logloss only: the weight of every object of the positive class (CatBoost turns it into
    /// `class_weights` [1, scale_pos_weight]); 1 weighs nothing.
    public var scalePosWeight = 1.0
    public var rsm = 1.0
    /// nil: the loss's default.
    public var boostFromAverage: Bool?
    public var lossFunction = LossFunction.rmse
    /// nil: the loss itself.
    public var evalMetric: Metric?
    public var leafEstimationMethod: LeafEstimationMethod?
    public var leafEstimationIterations: Int?
    public var overfittingDetector: OverfittingDetector?
    public var odWait = 20
    public var odPval: Double?
    /// nil: true when an eval set is given.
    public var useBestModel: Bool?
    public var randomSeed: UInt64 = 0
    /// -1: every core.
    public var threadCount = -1
    public var metricPeriod = 1
    /// Which CSV column holds the target (0-based).
    public var labelColumn: LabelColumn = 0
    /// Whether each CSV file starts with a header line to skip.
    public var csvHeader = false
    /// Write a checkpoint every this many iterations (0: never).
    public var checkpointIterations = 100
    /// On SIGTERM, save the model trained so far (true) or fail (false).
    public var saveModelOnTerminate = false
    /// Categorical features: which columns, one-hot and CTR settings.
    public var categorical = CategoricalOptions()

    public init() {}

    /// The names this trainer accepts, for error messages.
    public static let names: [String] = [
        "iterations", "num_boost_round", "num_round", "n_estimators", "num_trees", "learning_rate", "eta", "depth", "max_depth",
        "l2_leaf_reg", "reg_lambda", "border_count", "max_bin", "nan_mode", "score_function", "random_strength",
        "bootstrap_type", "subsample", "bagging_temperature", "mvs_reg", "rsm", "colsample_bylevel",
        "boost_from_average", "loss_function", "objective", "eval_metric", "leaf_estimation_method",
        "leaf_estimation_iterations", "od_type", "od_wait", "od_pval", "early_stopping_rounds", "use_best_model",
        "random_seed", "random_state", "thread_count", "metric_period", "verbose", "label_column", "csv_header",
        "checkpoint_iterations", "save_model_on_terminate", "save_model_on_termination", "grow_policy", "boosting_type",
        "max_leaves", "min_data_in_leaf", "sampling_frequency", "scale_pos_weight", "cat_features", "one_hot_max_size",
        "max_ctr_complexity", "simple_ctr", "combinations_ctr", "per_feature_ctr", "counter_calc_method", "model_size_reg",
        "permutation_count",
    ]

    /// Parses SageMaker hyperparameters (every value a string). Unknown names are an error;
    /// SageMaker's own keys (`sagemaker_*`, `_tuning_objective_metric`) are ignored.
    public init(hyperparameters: [String: String]) throws(TrainingError) {
        self.init()
        var earlyStoppingRounds: Int?
        for (key, raw) in hyperparameters.sorted(by: { $0.key < $1.key }) {
            let value = raw.trimmingWhitespace
            if key.hasPrefix("sagemaker_") || key == "_tuning_objective_metric" { continue }
            switch key {
            case "iterations", "num_boost_round", "num_round", "n_estimators", "num_trees":  // num_round: SageMaker XGBoost's
                iterations = try Self.integer(key, value, in: 1...1_000_000)
            case "learning_rate", "eta":
                let rate = try Self.number(key, value)
                guard rate > 0 else { throw TrainingError("hyperparameter \(key)=\(raw): must be positive") }
                learningRate = rate
            case "depth", "max_depth": depth = try Self.integer(key, value, in: 1...16)
            case "l2_leaf_reg", "reg_lambda":
                l2LeafReg = try Self.number(key, value, atLeast: 0)
                l2LeafRegWasSet = true
            case "border_count", "max_bin":
                // SageMaker's built-in CatBoost algorithm sends "Auto": CatBoost's own default.
                if value.lowercased() != "auto" { borderCount = try Self.integer(key, value, in: 1...254) }
            case "nan_mode": nanMode = try Self.choice(key, value)
            case "score_function": scoreFunction = try Self.choice(key, value)
            case "random_strength": randomStrength = try Self.number(key, value, atLeast: 0)
            case "bootstrap_type": bootstrapType = try Self.choice(key, value)
            case "subsample":
                let share = try Self.number(key, value)
                guard share > 0, share <= 1 else { throw TrainingError("hyperparameter subsample=\(raw): must be in (0, 1]") }
                subsample = share
            case "bagging_temperature": baggingTemperature = try Self.number(key, value, atLeast: 0)
            case "mvs_reg": mvsReg = try Self.number(key, value, atLeast: 0)
            case "rsm", "colsample_bylevel":
                let share = try Self.number(key, value)
                guard share > 0, share <= 1 else { throw TrainingError("hyperparameter \(key)=\(raw): must be in (0, 1]") }
                rsm = share
            case "boost_from_average": boostFromAverage = try Self.boolean(key, value)
            case "loss_function", "objective": lossFunction = try LossFunction(parsing: value, hyperparameter: key)
            case "eval_metric": evalMetric = value.lowercased() == "auto" ? nil : try Metric(parsing: value)
            case "leaf_estimation_method": leafEstimationMethod = try Self.choice(key, value)
            case "leaf_estimation_iterations": leafEstimationIterations = try Self.integer(key, value, in: 1...100)
            case "od_type": overfittingDetector = try Self.choice(key, value)
            case "od_wait": odWait = try Self.integer(key, value, in: 1...1_000_000)
            case "od_pval": odPval = try Self.number(key, value, atLeast: 0)
            case "early_stopping_rounds": earlyStoppingRounds = try Self.integer(key, value, in: 1...1_000_000)
            case "use_best_model": useBestModel = try Self.boolean(key, value)
            case "random_seed", "random_state":
                guard let seed = UInt64(value) else {
                    throw TrainingError("hyperparameter \(key)=\(raw): expected a non-negative integer")
                }
                randomSeed = seed
            case "thread_count":
                threadCount = try Self.integer(key, value, in: -1...1024)
                guard threadCount != 0 else { throw TrainingError("hyperparameter thread_count=0: use -1 for every core") }
            case "metric_period": metricPeriod = try Self.integer(key, value, in: 0...1_000_000)
            case "verbose":
                // CatBoost's Python package takes a bool or an int (`int(verbose)`): True logs
                // every iteration, False nothing; SageMaker sends Python's str(True), "True".
                switch value.lowercased() {
                case "true": metricPeriod = 1
                case "false": metricPeriod = 0
                default: metricPeriod = try Self.integer(key, value, in: 0...1_000_000)
                }
            case "label_column": labelColumn = try LabelColumn(hyperparameter: value)
            case "csv_header": csvHeader = try Self.boolean(key, value)
            case "checkpoint_iterations": checkpointIterations = try Self.integer(key, value, in: 0...1_000_000)
            case "save_model_on_terminate", "save_model_on_termination":  // the second is XGBoost's spelling
                saveModelOnTerminate = try Self.boolean(key, value)
            case "grow_policy", "boosting_type": try Self.requireSupportedScheme(key, value)
            case "sampling_frequency": samplingFrequency = try Self.choice(key, value)
            case "scale_pos_weight":
                scalePosWeight = try Self.number(key, value)
                guard scalePosWeight > 0 else { throw TrainingError("hyperparameter scale_pos_weight=\(raw): must be positive") }
            case "max_leaves", "min_data_in_leaf": try Self.checkUnusedTreeLimit(key, value)
            case "cat_features", "one_hot_max_size", "max_ctr_complexity", "simple_ctr", "combinations_ctr", "per_feature_ctr",
                "counter_calc_method", "model_size_reg", "permutation_count":
                try categorical.set(key, value)
            default:
                throw TrainingError(
                    "unknown hyperparameter '\(key)'. Known names (CatBoost's): \(Self.names.joined(separator: ", "))")
            }
        }
        if let earlyStoppingRounds {
            overfittingDetector = .iter
            odWait = earlyStoppingRounds
        }
        if bootstrapType == .no, subsample != nil {
            throw TrainingError("hyperparameter subsample needs bootstrap_type MVS or Bernoulli, not No")
        }
        if bootstrapType == .bayesian, subsample != nil {
            throw TrainingError("hyperparameter subsample does not apply to bootstrap_type Bayesian; use bagging_temperature")
        }
        try Self.checkScalePosWeight(scalePosWeight, lossFunction: lossFunction, hyperparameters: hyperparameters)
        if case .logloss = lossFunction, evalMetric == .r2 {
            throw TrainingError("eval_metric R2 does not apply to loss_function Logloss")
        }
        if case .named(let name) = labelColumn, !csvHeader {
            throw TrainingError("label_column=\(name) names a column: set csv_header=true so the files' first line names them")
        }
    }

    /// `grow_policy` and `boosting_type` as SageMaker's built-in CatBoost algorithm sends them:
    /// what Symmetree trains (oblivious trees, plain boosting, which is what CatBoost's Auto
    /// resolves to on CPU) is accepted, anything else refused naming that.
    static func requireSupportedScheme(_ key: String, _ value: String) throws(TrainingError) {
        let supported = key == "grow_policy" ? ["symmetrictree"] : ["plain", "auto"]
        guard supported.contains(value.lowercased()) else {
            throw TrainingError(
                key == "grow_policy"
                    ? "hyperparameter grow_policy=\(value) is not supported: Symmetree grows SymmetricTree (oblivious) trees only"
                    : "hyperparameter boosting_type=\(value) is not supported: Symmetree boosts Plain (Auto means Plain here)")
        }
    }

    /// The built-in CatBoost algorithm's tree limits that change nothing for oblivious trees
    /// (developer guide, "CatBoost hyperparameters"): max_leaves applies only to Lossguide and
    /// min_data_in_leaf only to Lossguide and Depthwise, so under SymmetricTree they are checked
    /// and unused.
    static func checkUnusedTreeLimit(_ key: String, _ value: String) throws(TrainingError) {
        if key == "max_leaves" {
            _ = try integer(key, value, in: 2...64)
        } else {
            _ = try integer(key, value, in: 1...1_000_000_000)
        }
    }

    /// CatBoost 1.2.10 takes scale_pos_weight for Logloss only and fails for any other loss
    /// (CrossEntropy included) with "scale_pos_weight is supported only for binary
    /// classification Logloss loss". 1, which weighs nothing, is let through for every loss,
    /// unlike CatBoost: hyperparameters copied from SageMaker XGBoost jobs carry
    /// scale_pos_weight=1.0 beside regression objectives (XGBoost ignores it there), and a
    /// migrating job should not fail on a setting that changes nothing.
    static func checkScalePosWeight(
        _ weight: Double, lossFunction: LossFunction, hyperparameters: [String: String]
    ) throws(TrainingError) {
        guard weight != 1 else { return }
        let written = (hyperparameters["loss_function"] ?? hyperparameters["objective"] ?? "RMSE").trimmingWhitespace
        let isLogloss = lossFunction == .logloss && !written.hasPrefix("CrossEntropy")
        guard isLogloss else {
            throw TrainingError(
                "hyperparameter scale_pos_weight=\(weight) is supported only for binary classification, "
                    + "loss_function Logloss (as in CatBoost); loss_function here is \(written)")
        }
    }

    /// Fills the data-dependent defaults exactly as CatBoost's `SetDataDependentDefaults`.
    public func resolved(rowCount: Int, featureCount: Int, hasEvalSet: Bool) -> TrainingParameters {
        ResolvedParameters(self, rowCount: rowCount, featureCount: featureCount, hasEvalSet: hasEvalSet).parameters
    }

    // MARK: - Value parsing

    static func number(_ key: String, _ value: String, atLeast lower: Double? = nil) throws(TrainingError) -> Double {
        guard let number = Double(value), number.isFinite else {
            throw TrainingError("hyperparameter \(key)='\(value)': expected a number")
        }
        if let lower, number < lower { throw TrainingError("hyperparameter \(key)=\(value): must be at least \(lower)") }
        return number
    }

    static func integer(_ key: String, _ value: String, in range: ClosedRange<Int>) throws(TrainingError) -> Int {
        // SageMaker tuners send integers as "6.0"; accept integral decimals.
        let parsed = Int(value) ?? Double(value).flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil }
        guard let parsed else { throw TrainingError("hyperparameter \(key)='\(value)': expected an integer") }
        guard range.contains(parsed) else {
            throw TrainingError("hyperparameter \(key)=\(value): must be in \(range.lowerBound)…\(range.upperBound)")
        }
        return parsed
    }

    static func boolean(_ key: String, _ value: String) throws(TrainingError) -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw TrainingError("hyperparameter \(key)='\(value)': expected true or false")
        }
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ value: String) throws(TrainingError) -> T
    where T.RawValue == String {
        if let match = T(rawValue: value) { return match }
        let options = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw TrainingError("hyperparameter \(key)='\(value)': expected one of \(options)")
    }
}
