/// A regression (or binary) objective by CatBoost's name, with CatBoost's derivative sign
/// convention: der1 = −∂loss/∂approx, der2 = ∂der1/∂approx ≤ 0.
public enum LossFunction: Sendable, Hashable {
    case rmse
    case mae
    case quantile(alpha: Double)
    case mape
    case poisson
    case huber(delta: Double)
    case tweedie(variancePower: Double)
    case logLinQuantile(alpha: Double)
    case expectile(alpha: Double)
    case logloss

    /// SageMaker XGBoost's `objective` values that are the same loss here, prediction transform
    /// included (binary:logistic answers probabilities, as Logloss does; reg:tweedie's
    /// tweedie_variance_power defaults to 1.5). Others, such as reg:pseudohubererror (not
    /// CatBoost's Huber), are refused like any unknown loss.
    static let xgboostObjectives = [
        "reg:squarederror": "RMSE", "reg:linear": "RMSE", "reg:absoluteerror": "MAE", "count:poisson": "Poisson",
        "reg:tweedie": "Tweedie:variance_power=1.5", "binary:logistic": "Logloss",
    ]

    /// The spellings `init(parsing:)` accepts, for error messages.
    static let spellings = [
        "RMSE", "MAE", "Quantile:alpha=…", "MAPE", "Poisson", "Huber:delta=…", "Tweedie:variance_power=…",
        "LogLinQuantile:alpha=…", "Expectile:alpha=…", "Logloss",
    ]

    /// Parses CatBoost's spelling: `Name` or `Name:key=value;key=value`. Errors name
    /// `hyperparameter` (`loss_function`, `objective` or `eval_metric`, which also takes
    /// `otherChoices`) so the user is sent to the setting they actually wrote.
    public init(parsing written: String, hyperparameter: String = "loss_function", otherChoices: [String] = []) throws(TrainingError) {
        let text = Self.xgboostObjectives[written] ?? written
        let (name, parameters) = try Self.split(text, hyperparameter: hyperparameter)
        func value(_ key: String, default fallback: Double?) throws(TrainingError) -> Double {
            if let raw = parameters[key] {
                guard let number = Double(raw), number.isFinite else {
                    throw TrainingError("\(hyperparameter) \(text): \(key)=\(raw) is not a number")
                }
                return number
            }
            guard let fallback else { throw TrainingError("\(hyperparameter) \(name) needs \(key)=… (e.g. \(name):\(key)=1.5)") }
            return fallback
        }
        let known: Set<String>
        switch name {
        case "RMSE": self = .rmse; known = []
        case "MAE": self = .mae; known = []
        case "Quantile":
            self = .quantile(alpha: try value("alpha", default: 0.5)); known = ["alpha"]
        case "MAPE": self = .mape; known = []
        case "Poisson": self = .poisson; known = []
        case "Huber": self = .huber(delta: try value("delta", default: nil)); known = ["delta"]
        case "Tweedie":
            self = .tweedie(variancePower: try value("variance_power", default: nil)); known = ["variance_power"]
        case "LogLinQuantile": self = .logLinQuantile(alpha: try value("alpha", default: 0.5)); known = ["alpha"]
        case "Expectile": self = .expectile(alpha: try value("alpha", default: 0.5)); known = ["alpha"]
        case "Logloss", "CrossEntropy": self = .logloss; known = []
        default:
            let choices = Self.spellings + otherChoices
            throw TrainingError(
                "\(hyperparameter) '\(text)' is not supported; use \(choices.dropLast().joined(separator: ", ")) or \(choices.last!)")
        }
        for key in parameters.keys where !known.contains(key) {
            throw TrainingError("\(hyperparameter) \(text): unknown parameter '\(key)'")
        }
        switch self {
        case .quantile(let alpha), .logLinQuantile(let alpha), .expectile(let alpha):
            guard alpha > 0, alpha < 1 else { throw TrainingError("\(hyperparameter) \(text): alpha must be in (0, 1)") }
        case .huber(let delta):
            guard delta > 0 else { throw TrainingError("\(hyperparameter) \(text): delta must be positive") }
        case .tweedie(let power):
            guard power > 1, power < 2 else {
                throw TrainingError("\(hyperparameter) \(text): variance_power must be in (1, 2)")
            }
        default: break
        }
    }

    static func split(_ text: String, hyperparameter: String) throws(TrainingError) -> (String, [String: String]) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw TrainingError("\(hyperparameter) is empty") }
        var parameters: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: ";") {
                let keyValue = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard keyValue.count == 2 else { throw TrainingError("\(hyperparameter) '\(text)': expected key=value, got '\(pair)'") }
                parameters[keyValue[0]] = keyValue[1]
            }
        }
        return (name, parameters)
    }

    /// CatBoost's spelling, as stored in models (`model_info.params.loss_function`).
    public var catBoostName: String {
        switch self {
        case .rmse: "RMSE"
        case .mae: "MAE"
        case .quantile(let alpha): "Quantile:alpha=\(alpha)"
        case .mape: "MAPE"
        case .poisson: "Poisson"
        case .huber(let delta): "Huber:delta=\(delta)"
        case .tweedie(let power): "Tweedie:variance_power=\(power)"
        case .logLinQuantile(let alpha): "LogLinQuantile:alpha=\(alpha)"
        case .expectile(let alpha): "Expectile:alpha=\(alpha)"
        case .logloss: "Logloss"
        }
    }

    /// CatBoost 1.2.10's defaults, as its `get_all_params()` reports them.
    public var defaultLeafEstimationMethod: LeafEstimationMethod {
        switch self {
        case .rmse, .poisson, .huber, .tweedie, .expectile, .logloss: .newton
        case .mae, .quantile, .mape: .exact
        case .logLinQuantile: .gradient
        }
    }

    /// CatBoost's default `leaf_estimation_iterations`: 1 for most losses; Poisson 10,
    /// Expectile 5, Logloss 10, except that short runs (< 200 iterations) with few features get 1.
    public func defaultLeafEstimationIterations(iterations: Int, featureCount: Int) -> Int {
        let long: Int
        switch self {
        case .poisson, .logloss: long = 10
        case .expectile: long = 5
        default: return 1
        }
        return iterations < 200 && featureCount < 20 ? 1 : long
    }

    public var boostsFromAverageByDefault: Bool {
        switch self {
        case .rmse, .mae, .quantile, .mape: true
        default: false
        }
    }

    /// Whether the auto learning-rate rule applies (CatBoost: RMSE, Logloss, MultiClass).
    var hasAutoLearningRate: Bool {
        switch self {
        case .rmse, .logloss: true
        default: false
        }
    }

    /// Unweighted (der1, der2) at one object.
    @inline(__always)
    func derivatives(target y: Double, approx a: Double) -> (Double, Double) {
        switch self {
        case .rmse: return (y - a, -1)
        case .mae: return Self.quantileDerivative(y - a, alpha: 0.5)
        case .quantile(let alpha): return Self.quantileDerivative(y - a, alpha: alpha)
        case .mape:
            let scale = 1 / max(1, abs(y))
            return (y - a > 0 ? scale : (y - a < 0 ? -scale : 0), 0)
        case .poisson:
            let rate = a.exponential
            return (y - rate, -rate)
        case .huber(let delta):
            let e = y - a
            return abs(e) < delta ? (e, -1) : (e > 0 ? delta : -delta, 0)
        case .tweedie(let rho):
            let first = (a * (1 - rho)).exponential
            let second = (a * (2 - rho)).exponential
            return (y * first - second, y * (1 - rho) * first - (2 - rho) * second)
        case .logLinQuantile(let alpha):
            let rate = a.exponential
            return (y > rate ? alpha * rate : -(1 - alpha) * rate, 0)
        case .expectile(let alpha):
            let e = y - a
            return e > 0 ? (2 * alpha * e, -2 * alpha) : (2 * (1 - alpha) * e, -2 * (1 - alpha))
        case .logloss:
            let p = 1 / (1 + (-a).exponential)
            return (y - p, -p * (1 - p))
        }
    }

    @inline(__always)
    static func quantileDerivative(_ residual: Double, alpha: Double) -> (Double, Double) {
        let delta = 1e-6
        if abs(residual) < delta { return (0, 0) }
        return (residual > 0 ? alpha : -(1 - alpha), 0)
    }

    /// The quantile `Exact` leaf estimation takes of a leaf's residuals, and the weight of each.
    var exactQuantile: Double {
        switch self {
        case .mae, .mape: 0.5
        case .quantile(let alpha): alpha
        default: 0.5
        }
    }

    @inline(__always)
    func exactWeight(target: Double) -> Double {
        if case .mape = self { return 1 / max(1, abs(target)) }
        return 1
    }

    /// The starting approx for `boost_from_average`: the best constant under this loss.
    func bestConstant(targets: [Float], weights: [Double]) -> Double {
        switch self {
        case .rmse:
            return Double(Float(Self.weightedMean(targets, weights)))
        case .logloss:
            // The logit of the weighted share of positives, the share rounded to float32, as
            // CatBoost's `CalcOneDimensionalOptimumConstApprox` (catboost/libs/metrics/
            // optimal_const_for_loss.h) computes it, with its `Logit(x) = -log(1/x - 1)`
            // (catboost/libs/helpers/math_utils.h). Both classes are present (checked before).
            let share = Double(Float(Self.weightedMean(targets, weights)))
            return -(1 / share - 1).logarithm
        case .mae, .quantile, .mape:
            let values = targets.map(Double.init)
            let exactWeights = targets.indices.map { weights[$0] * exactWeight(target: Double(targets[$0])) }
            return Double(Float(weightedQuantile(values, weights: exactWeights, alpha: exactQuantile)))
        default:
            return 0
        }
    }

    /// Σ w·y / Σ w, summed in row order in float64 (CatBoost's `CalculateWeightedTargetAverage`).
    static func weightedMean(_ targets: [Float], _ weights: [Double]) -> Double {
        var sum = 0.0
        var weightSum = 0.0
        for index in targets.indices {
            sum += weights[index] * Double(targets[index])
            weightSum += weights[index]
        }
        return sum / weightSum
    }

    /// Per-object loss, averaged (weighted) into the metric CatBoost prints for the loss.
    @inline(__always)
    func pointLoss(target y: Double, approx a: Double) -> Double {
        switch self {
        case .rmse: return (y - a) * (y - a)
        case .mae: return abs(y - a)
        case .quantile(let alpha):
            let e = y - a
            return e >= 0 ? alpha * e : (alpha - 1) * e
        case .mape: return abs(y - a) / max(1, abs(y))
        case .poisson: return a.exponential - y * a
        case .huber(let delta):
            let e = abs(y - a)
            return e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta)
        case .tweedie(let rho):
            return -y * (a * (1 - rho)).exponential / (1 - rho) + (a * (2 - rho)).exponential / (2 - rho)
        case .logLinQuantile(let alpha):
            let e = y - a.exponential
            return e >= 0 ? alpha * e : (alpha - 1) * e
        case .expectile(let alpha):
            let e = y - a
            return (e < 0 ? 1 - alpha : alpha) * e * e
        case .logloss:
            // log(1 + e^a) − y·a, written to stay finite for large |a|.
            let softplus = a > 0 ? a + (1 + (-a).exponential).logarithm : (1 + a.exponential).logarithm
            return softplus - y * a
        }
    }
}

/// The smallest value whose cumulative weight reaches `alpha` of the total (weights > 0).
func weightedQuantile(_ values: [Double], weights: [Double], alpha: Double) -> Double {
    precondition(values.count == weights.count)
    guard !values.isEmpty else { return 0 }
    let order = values.indices.sorted { values[$0] < values[$1] }
    let total = weights.reduce(0, +)
    guard total > 0 else { return 0 }
    var cumulative = 0.0
    for index in order {
        cumulative += weights[index]
        if cumulative >= alpha * total { return values[index] }
    }
    return values[order.last!]
}
