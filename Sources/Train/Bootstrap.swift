/// Per-tree object weights for split search (CatBoost's bootstrap; leaf values always use all
/// objects with their own weights, catboost-notes §1.3).
enum Bootstrap {
    /// CatBoost's MVS works on blocks of objects; each block keeps `subsample` of its size in
    /// expectation. Every bootstrap type draws each block from its own random stream, so blocks
    /// can be drawn concurrently and the result does not depend on the thread count.
    static let blockSize = 8192

    /// The random stream of block `block` of a tree whose bootstrap seed is `seed`.
    static func blockRandom(seed: UInt64, block: Int) -> RandomGenerator {
        // Both multipliers are odd, so distinct blocks get distinct seeds for any tree seed.
        RandomGenerator(seed: (seed ^ UInt64(truncatingIfNeeded: block) &* 0x9E37_79B9_7F4A_7C15) &* 0xD1B5_4A32_D192_ED03)
    }

    /// Draws the sample weights of one block of rows (at most `blockSize`).
    static func sampleBlock(
        type: BootstrapType, subsample: Double, baggingTemperature: Double, mvsRegularizer: Double,
        gradients: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>,
        into sampleWeights: UnsafeMutableBufferPointer<Double>, random: inout RandomGenerator
    ) {
        precondition(gradients.count == weights.count && weights.count == sampleWeights.count)
        switch type {
        case .no:
            _ = sampleWeights.update(fromContentsOf: weights)
        case .bernoulli:
            for row in weights.indices {
                sampleWeights[row] = random.nextUnitInterval() <= subsample ? weights[row] : 0
            }
        case .bayesian:
            for row in weights.indices {
                sampleWeights[row] = weights[row] * (-random.nextUnitInterval().logarithm).power(baggingTemperature)
            }
        case .mvs:
            if subsample >= 1 {
                _ = sampleWeights.update(fromContentsOf: weights)
                return
            }
            let importance = gradients.map { ($0 * $0 + mvsRegularizer).squareRoot() }
            let threshold = mvsThreshold(importance, keep: subsample * Double(gradients.count))
            for row in importance.indices {
                let probability = threshold > 0 ? min(1, importance[row] / threshold) : 1
                sampleWeights[row] = random.nextUnitInterval() <= probability ? weights[row] / probability : 0
            }
        }
    }

    /// μ with Σ min(1, c_i / μ) = keep: the top k objects get probability 1 and the rest share
    /// what is left in proportion to their importance. Expected linear time: partition around a
    /// pivot, decide from f(pivot) on which side μ lies, and recurse into that side only
    /// (f(μ) = #{c ≥ μ} + Σ_{c<μ} c/μ decreases in μ).
    static func mvsThreshold(_ importance: [Double], keep: Double) -> Double {
        var values = importance
        return values.withUnsafeMutableBufferPointer { mvsThreshold(reordering: $0, keep: keep) }
    }

    /// `mvsThreshold` in place: reorders `values`. Each partition step is branch-free (a
    /// Lomuto swap that always happens), since whether a value lies above the pivot is a coin flip.
    static func mvsThreshold(reordering values: UnsafeMutableBufferPointer<Double>, keep: Double) -> Double {
        // Zero-importance objects never count toward Σ p, so when the positive ones cannot reach
        // `keep` there is no threshold: keep everything.
        guard keep < Double(values.count(where: { $0 > 0 })) else { return 0 }
        var low = 0
        var high = values.count
        var certain = 0.0  // objects known to have probability 1
        var smallSum = 0.0  // Σ c of objects known to be below μ
        while low < high {
            let pivot = values[low + (high - low) / 2]
            // Partition [low, high) into [low, split) with c ≥ pivot and [split, high) with c < pivot.
            var split = low
            var partSum = 0.0
            for index in low..<high {
                let value = values[index]
                let isLarge = value >= pivot
                values[index] = values[split]
                values[split] = value
                split &+= isLarge ? 1 : 0
                partSum += isLarge ? 0 : value
            }
            let largeCount = Double(split - low)
            // f(pivot) with everything in [low, high) ≥ pivot counted as 1.
            // A zero pivot lies below μ (keep is below the positive count, checked above).
            let atPivot = pivot > 0 ? certain + largeCount + (smallSum + partSum) / pivot : .infinity
            if atPivot > keep {
                // μ > pivot: the small side and the pivot's equals stay below μ; keep searching above.
                smallSum += partSum
                var equalEnd = low
                for index in low..<split where values[index] == pivot {
                    values.swapAt(index, equalEnd)
                    equalEnd += 1
                }
                smallSum += pivot * Double(equalEnd - low)
                low = equalEnd
                high = split
            } else {
                // μ ≤ pivot: the large side all has probability 1; keep searching below.
                certain += largeCount
                low = split
            }
        }
        let remaining = keep - certain
        return remaining > 0 ? smallSum / remaining : 0
    }
}
