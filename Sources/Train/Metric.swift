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

    /// The metric over all objects at the current approx (weighted means, as CatBoost). In a
    /// multi-host job the objects are this rank's and the sums are summed over the ranks.
    func evaluate(
        targets: [Float], approx: [Double], weights: [Double], communicator: any Communicator = SingleProcess()
    ) -> Double {
        var sums = [0.0, 0.0]
        switch self {
        case .loss(let loss):
            for index in targets.indices {
                sums[0] += weights[index] * loss.pointLoss(target: Double(targets[index]), approx: approx[index])
                sums[1] += weights[index]
            }
            communicator.allReduceSum(&sums)
            return Self.meanLoss(loss, sum: sums[0], weightSum: sums[1])
        case .r2:
            for index in targets.indices {
                sums[0] += weights[index] * Double(targets[index])
                sums[1] += weights[index]
            }
            communicator.allReduceSum(&sums)
            let mean = sums[0] / sums[1]
            var deviations = [0.0, 0.0]  // residual, total
            for index in targets.indices {
                let y = Double(targets[index])
                deviations[0] += weights[index] * (y - approx[index]) * (y - approx[index])
                deviations[1] += weights[index] * (y - mean) * (y - mean)
            }
            communicator.allReduceSum(&deviations)
            return deviations[1] > 0 ? 1 - deviations[0] / deviations[1] : 0
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
