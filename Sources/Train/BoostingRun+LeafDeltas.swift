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
            gatherLeafResiduals(&residuals, weights: &exactWeights, communicator: passes.communicator)
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

    /// A weighted quantile needs every residual of a leaf, not a sum: every rank sends its
    /// residuals and weights by leaf, and each leaf's lists become every rank's in rank order
    /// (global row order). Costs 16 bytes per learn row per tree, for the Exact method only.
    static func gatherLeafResiduals(_ residuals: inout [[Double]], weights: inout [[Double]], communicator: any Communicator) {
        guard communicator.isDistributed else { return }
        let leafCount = residuals.count
        let message = residuals.map { Double($0.count) } + Array(residuals.joined()) + Array(weights.joined())
        residuals = Array(repeating: [], count: leafCount)
        weights = Array(repeating: [], count: leafCount)
        for part in communicator.allGatherParts(message) {
            let counts = part[0..<leafCount].map { Int($0) }
            let rowCount = counts.reduce(0, +)
            precondition(part.count == leafCount + 2 * rowCount, "a leaf residual message of the wrong length")
            var start = leafCount
            for leaf in 0..<leafCount {
                residuals[leaf] += part[start..<(start + counts[leaf])]
                weights[leaf] += part[(start + rowCount)..<(start + rowCount + counts[leaf])]
                start += counts[leaf]
            }
        }
    }
}
