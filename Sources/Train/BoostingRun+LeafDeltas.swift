extension BoostingRun {
    /// Leaf deltas before the learning rate, over all learn objects (CatBoost's
    /// `CalcDeltaNewtonBody` and `CalcAverage`, catboost/private/libs/algo_helpers/online_predictor.h),
    /// and each leaf's weight.
    static func leafDeltas(
        options: ResolvedParameters, passes: LearnPasses, l2: Double, leafOfRow: [UInt16], leafCount: Int, approx: [Double],
        gradients: [Double], secondDerivatives: [Double]
    ) -> (deltas: [Double], leafWeights: [Double]) {
        let (loss, method) = (options.lossFunction, options.leafEstimationMethod)
        var deltas = [Double](repeating: 0, count: leafCount)
        let firstSums = passes.leafSums(
            leafOfRow: leafOfRow, leafCount: leafCount, method: method, loss: loss, approx: approx, deltas: nil,
            gradients: gradients, secondDerivatives: secondDerivatives)
        switch method {
        case .exact:
            let (targets, weights) = (passes.targets, passes.weights)
            var residuals = [[Double]](repeating: [], count: leafCount)
            var exactWeights = [[Double]](repeating: [], count: leafCount)
            for row in targets.indices where weights[row] > 0 {
                let leaf = Int(leafOfRow[row])
                residuals[leaf].append(targets[row] - approx[row])
                exactWeights[leaf].append(weights[row] * loss.exactWeight(target: targets[row]))
            }
            for leaf in 0..<leafCount where !residuals[leaf].isEmpty {
                deltas[leaf] = weightedQuantile(residuals[leaf], weights: exactWeights[leaf], alpha: loss.exactQuantile)
            }
        case .newton, .gradient:
            var sums = firstSums
            for step in 0..<options.leafEstimationIterations {
                if step > 0 {
                    sums = passes.leafSums(
                        leafOfRow: leafOfRow, leafCount: leafCount, method: method, loss: loss, approx: approx,
                        deltas: deltas, gradients: gradients, secondDerivatives: secondDerivatives)
                }
                for leaf in 0..<leafCount {
                    let denominator = -sums.second[leaf] + l2
                    deltas[leaf] += denominator > 0 ? sums.first[leaf] / denominator : 0
                }
            }
        }
        return (deltas, firstSums.weight)
    }
}
