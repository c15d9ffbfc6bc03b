/// Per-tree object weights for split search (CatBoost's bootstrap; leaf values always use all
/// objects with their own weights, catboost-notes §1.3).
enum Bootstrap {
    /// CatBoost's MVS works on blocks of objects; each block keeps `subsample` of its size in expectation.
    static let mvsBlockSize = 8192

    static func sampleWeights(
        type: BootstrapType, subsample: Double, baggingTemperature: Double, mvsRegularizer: Double,
        gradients: [Double], weights: [Double], random: inout RandomGenerator
    ) -> [Double] {
        switch type {
        case .no:
            return weights
        case .bernoulli:
            return weights.map { weight in random.nextUnitInterval() <= subsample ? weight : 0 }
        case .bayesian:
            return weights.map { weight in
                weight * (-random.nextUnitInterval().logarithm).power(baggingTemperature)
            }
        case .mvs:
            if subsample >= 1 { return weights }
            var result = weights
            var blockStart = 0
            while blockStart < gradients.count {
                let blockEnd = min(blockStart + mvsBlockSize, gradients.count)
                let importance = (blockStart..<blockEnd).map { (gradients[$0] * gradients[$0] + mvsRegularizer).squareRoot() }
                let threshold = mvsThreshold(importance, keep: subsample * Double(blockEnd - blockStart))
                for offset in importance.indices {
                    let probability = threshold > 0 ? min(1, importance[offset] / threshold) : 1
                    let row = blockStart + offset
                    result[row] = random.nextUnitInterval() <= probability ? weights[row] / probability : 0
                }
                blockStart = blockEnd
            }
            return result
        }
    }

    /// μ with Σ min(1, c_i / μ) = keep: the top k objects get probability 1 and the rest share
    /// what is left in proportion to their importance.
    static func mvsThreshold(_ importance: [Double], keep: Double) -> Double {
        let sorted = importance.sorted(by: >)
        guard keep < Double(sorted.count) else { return 0 }
        var suffix = sorted.reduce(0, +)
        for k in 0..<sorted.count {
            let remaining = keep - Double(k)
            guard remaining > 0 else { break }
            let threshold = suffix / remaining
            if sorted[k] <= threshold { return threshold }
            suffix -= sorted[k]
        }
        return sorted.last ?? 0
    }
}
