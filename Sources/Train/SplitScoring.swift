import Model

/// CatBoost's CPU split scores from first derivatives (catboost/private/libs/algo/score_calcers.cpp):
///   avg = G / (W + λ) (0 when W ≤ 0);  L2: Σ avg·G;  Cosine: Σ avg·G / sqrt(Σ avg²·W + 1e-100),
/// summed over the 2·leafCount children a candidate would create.
enum SplitScoring {
    /// Below this many (leaf, border) scores per level, one thread scores every feature (with
    /// spinning workers a hand-off costs a few microseconds; a score ~2 ns).
    static let parallelScoreCountMin = 1 << 12

    /// The best border of each candidate feature, then the best feature; a later candidate wins
    /// only with a strictly larger (noisy) score. With `noise`, every candidate's score gets
    /// deviation × N(0, 1), drawn from its feature's own stream of the seed, so features can be
    /// scored concurrently and the draws do not depend on the thread count.
    static func bestSplit(
        histograms: LevelHistograms, binCounts: [Int], features: [Int], scoreFunction: ScoreFunction,
        l2: Double, noise: (deviation: Double, seed: UInt64)?, threadCount: Int
    ) -> SplitCandidate? {
        let candidateCount = features.reduce(0) { $0 + max(0, binCounts[$1] - 1) }
        let groupCount = histograms.leafCount * candidateCount >= parallelScoreCountMin ? max(1, min(threadCount, features.count)) : 1
        let bestPerGroup = ForkJoin.map(groupCount) { group in
            var best: SplitCandidate?
            for position in (features.count * group / groupCount)..<(features.count * (group + 1) / groupCount) {
                let feature = features[position]
                guard binCounts[feature] > 1 else { continue }
                let candidate = histograms.cells.withUnsafeBufferPointer { cells in
                    bestBorder(
                        cells: UnsafeBufferPointer(rebasing: cells[histograms.offsets[feature]..<histograms.offsets[feature + 1]]),
                        leafCount: histograms.leafCount, binCount: binCounts[feature], scoreFunction: scoreFunction, l2: l2,
                        noise: noise.map { noise in
                            var random = RandomGenerator(seed: noise.seed, stream: feature)
                            return gaussians(count: binCounts[feature] - 1, deviation: noise.deviation, random: &random)
                        })
                }
                if best == nil || candidate.score > best!.score {
                    best = SplitCandidate(feature: feature, borderIndex: candidate.border, score: candidate.score)
                }
            }
            return best
        }
        var best: SplitCandidate?
        for case let candidate? in bestPerGroup where best == nil || candidate.score > best!.score { best = candidate }
        return best
    }

    static func gaussians(count: Int, deviation: Double, random: inout RandomGenerator) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(count + 1)
        while values.count < count {
            let (first, second) = random.nextGaussianPair()
            values.append(deviation * first)
            values.append(deviation * second)
        }
        values.removeLast(values.count - count)
        return values
    }

    /// One feature's best border (the first of equal scores). Leaves are the outer loop so the
    /// cells stream once; each border still sums its leaves' terms in leaf order, as CatBoost.
    static func bestBorder(
        cells: UnsafeBufferPointer<SIMD2<Double>>, leafCount: Int, binCount: Int, scoreFunction: ScoreFunction,
        l2: Double, noise: [Double]?
    ) -> (border: Int, score: Double) {
        let borderCount = binCount - 1
        var numerator = [Double](repeating: 0, count: borderCount)
        var denominator = [Double](repeating: 0, count: borderCount)
        // prefix[b] = Σ over bins ≤ b: the "false" child of border b.
        var prefix = [SIMD2<Double>](repeating: .zero, count: binCount)
        numerator.withUnsafeMutableBufferPointer { numerator in
            denominator.withUnsafeMutableBufferPointer { denominator in
                prefix.withUnsafeMutableBufferPointer { prefix in
                    for leaf in 0..<leafCount {
                        var running = SIMD2<Double>.zero
                        for bin in 0..<binCount {
                            running += cells[leaf &* binCount &+ bin]
                            prefix[bin] = running
                        }
                        let total = running
                        // A leaf's terms change only at borders whose bin holds rows: deep levels
                        // of small data leave most bins of a leaf empty (354 rows over 32 leaves
                        // and ~250 bins), so the divisions run only where the prefix moved and
                        // the other borders add the same terms again, in the same order.
                        var terms = SIMD4<Double>.zero
                        for border in 0..<borderCount {
                            if border == 0 || cells[leaf &* binCount &+ border] != .zero {
                                let left = prefix[border]
                                let right = total - left
                                let leftAverage = (left[0] / (left[1] + l2)).kept(if: left[1] > 0)
                                let rightAverage = (right[0] / (right[1] + l2)).kept(if: right[1] > 0)
                                terms = SIMD4(
                                    leftAverage * left[0], rightAverage * right[0], leftAverage * leftAverage * left[1],
                                    rightAverage * rightAverage * right[1])
                            }
                            numerator[border] += terms[0]
                            numerator[border] += terms[1]
                            denominator[border] += terms[2]
                            denominator[border] += terms[3]
                        }
                    }
                }
            }
        }
        var best = (border: 0, score: -Double.infinity)
        for border in 0..<borderCount {
            var score =
                switch scoreFunction {
                case .l2: numerator[border]
                case .cosine: numerator[border] / (denominator[border] + 1e-100).squareRoot()
                }
            if let noise { score += noise[border] }
            if border == 0 || score > best.score { best = (border, score) }
        }
        return best
    }
}
