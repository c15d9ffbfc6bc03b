/// What `eval_metric` measures: a loss's own value, or R2.
public enum Metric: Sendable, Hashable {
    case loss(LossFunction)
    case r2

    public init(parsing text: String) throws(TrainingError) {
        if text == "R2" {
            self = .r2
        } else {
            self = .loss(try LossFunction(parsing: text, hyperparameter: "eval_metric", otherChoices: ["R2"]))
        }
    }

    /// The name CatBoost prints in logs and learning curves (`RMSE`, `Quantile:alpha=0.9`).
    public var name: String {
        switch self {
        case .r2: "R2"
        case .loss(let loss): loss.catBoostName
        }
    }

    public var isMaximized: Bool { self == .r2 }

    /// The metric over all objects at the current approx (weighted means, as CatBoost).
    func evaluate(targets: [Float], approx: [Double], weights: [Double]) -> Double {
        var weightSum = 0.0
        switch self {
        case .loss(let loss):
            var sum = 0.0
            for index in targets.indices {
                sum += weights[index] * loss.pointLoss(target: Double(targets[index]), approx: approx[index])
                weightSum += weights[index]
            }
            return Self.meanLoss(loss, sum: sum, weightSum: weightSum)
        case .r2:
            var targetSum = 0.0
            for index in targets.indices {
                targetSum += weights[index] * Double(targets[index])
                weightSum += weights[index]
            }
            let mean = targetSum / weightSum
            var residual = 0.0
            var total = 0.0
            for index in targets.indices {
                let y = Double(targets[index])
                residual += weights[index] * (y - approx[index]) * (y - approx[index])
                total += weights[index] * (y - mean) * (y - mean)
            }
            return total > 0 ? 1 - residual / total : 0
        }
    }

    /// A loss metric from Σ w·loss and Σ w (RMSE is the root of the mean).
    static func meanLoss(_ loss: LossFunction, sum: Double, weightSum: Double) -> Double {
        let mean = weightSum > 0 ? sum / weightSum : 0
        if case .rmse = loss { return mean.squareRoot() }
        return mean
    }

    func isImprovement(_ candidate: Double, over best: Double) -> Bool {
        isMaximized ? candidate > best : candidate < best
    }
}
