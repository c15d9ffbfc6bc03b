/// What `predict` returns on top of the raw formula value, by loss (CatBoost's
/// `predict()` default prediction type).
public enum PredictionTransform: UInt8, Sendable, Hashable, CaseIterable {
    /// RMSE, MAE, Quantile, MAPE, Huber, Expectile, LogLinQuantile, …: the raw value.
    case identity = 0
    /// Poisson and Tweedie model a log-rate: `exp(raw)`.
    case exponent = 1
    /// Logloss: the probability of class 1, `1 / (1 + exp(-raw))`.
    case sigmoid = 2

    /// The transform CatBoost applies for a loss function name such as `"Tweedie:variance_power=1.5"`.
    public init(lossFunction: String) {
        let name = lossFunction.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        switch name {
        case "Poisson", "Tweedie": self = .exponent
        case "Logloss", "CrossEntropy": self = .sigmoid
        default: self = .identity
        }
    }

    @inline(__always)
    public func apply(_ raw: Double) -> Double {
        switch self {
        case .identity: raw
        case .exponent: raw.exp
        case .sigmoid: 1 / (1 + (-raw).exp)
        }
    }
}
