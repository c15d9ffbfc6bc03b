/// A candidate split of every leaf of a level: "feature's bin > borderIndex".
struct SplitCandidate: Sendable, Equatable {
    var feature: Int
    var borderIndex: Int
    var score: Double
}

/// CatBoost's CPU split scores from first derivatives (score_calcers.cpp, catboost-notes §1.3):
///   avg = G / (W + λ) (0 when W ≤ 0);  L2: Σ avg·G;  Cosine: Σ avg·G / sqrt(Σ avg²·W + 1e-100),
/// summed over the 2·leafCount children a candidate would create.
enum SplitScoring {
    /// The best border of each candidate feature, then the best feature; a later candidate wins
    /// only with a strictly larger (noisy) score. `noise` draws one value per candidate.
    static func bestSplit(
        histograms: LevelHistograms, binCounts: [Int], features: [Int], scoreFunction: ScoreFunction,
        l2: Double, noise: (() -> Double)?
    ) -> SplitCandidate? {
        var best: SplitCandidate?
        let leafCount = histograms.leafCount
        var prefix: [Double] = []
        var total = [Double](repeating: 0, count: leafCount * 2)
        for feature in features {
            let binCount = binCounts[feature]
            guard binCount > 1 else { continue }
            let cells = histograms.perFeature[feature]
            // prefix[leaf][b] = Σ over bins ≤ b: the "false" child of border b.
            prefix = cells
            for leaf in 0..<leafCount {
                let base = leaf * binCount * 2
                for bin in 1..<binCount {
                    prefix[base + bin * 2] += prefix[base + (bin - 1) * 2]
                    prefix[base + bin * 2 + 1] += prefix[base + (bin - 1) * 2 + 1]
                }
                total[leaf * 2] = prefix[base + (binCount - 1) * 2]
                total[leaf * 2 + 1] = prefix[base + (binCount - 1) * 2 + 1]
            }
            for border in 0..<(binCount - 1) {
                var numerator = 0.0
                var denominator = 0.0
                for leaf in 0..<leafCount {
                    let base = leaf * binCount * 2 + border * 2
                    let leftGradient = prefix[base]
                    let leftWeight = prefix[base + 1]
                    let rightGradient = total[leaf * 2] - leftGradient
                    let rightWeight = total[leaf * 2 + 1] - leftWeight
                    let leftAverage = leftWeight > 0 ? leftGradient / (leftWeight + l2) : 0
                    let rightAverage = rightWeight > 0 ? rightGradient / (rightWeight + l2) : 0
                    numerator += leftAverage * leftGradient
                    numerator += rightAverage * rightGradient
                    denominator += leftAverage * leftAverage * leftWeight
                    denominator += rightAverage * rightAverage * rightWeight
                }
                var score =
                    switch scoreFunction {
                    case .l2: numerator
                    case .cosine: numerator / (denominator + 1e-100).squareRoot()
                    }
                if let noise { score += noise() }
                if best == nil || score > best!.score {
                    best = SplitCandidate(feature: feature, borderIndex: border, score: score)
                }
            }
        }
        return best
    }
}
