/// Per-tree object weights for split search (CatBoost's bootstrap: catboost/private/libs/algo/
/// mvs.cpp, and `GenerateBayessianWeight` in tensor_search_helpers.cpp); leaf values always use
/// all objects with their own weights.
enum Bootstrap {
    /// CatBoost's MVS works on blocks of objects; each block keeps `subsample` of its size in
    /// expectation. Every bootstrap type draws each block from its own random stream
    /// (`RandomGenerator(seed:stream:)`), so blocks can be drawn concurrently and the result does
    /// not depend on the thread count.
    static let blockSize = 8192

    /// Draws one block of rows (at most `blockSize`): each row's sample weight is its weight
    /// times `multipliers[row]` (0 = not sampled), and split search sees its der1·w times the
    /// same multiplier. A multiplier of exactly 1 leaves both exact.
    static func sampleBlock(
        type: BootstrapType, subsample: Double, baggingTemperature: Double, mvsRegularizer: Double,
        gradients: UnsafeBufferPointer<Double>, into multipliers: UnsafeMutableBufferPointer<Double>,
        random: inout RandomGenerator
    ) {
        precondition(gradients.count == multipliers.count)
        switch type {
        case .no:
            multipliers.update(repeating: 1)
        case .bernoulli:
            for row in multipliers.indices {
                multipliers[row] = 1.0.kept(if: random.nextUnitInterval() <= subsample)
            }
        case .bayesian:
            for row in multipliers.indices {
                multipliers[row] = (-random.nextUnitInterval().logarithm).power(baggingTemperature)
            }
        case .mvs:
            if subsample >= 1 {
                multipliers.update(repeating: 1)
                return
            }
            // Importance first, in the multipliers' storage: a loop the compiler vectorizes.
            for row in gradients.indices {
                multipliers[row] = (gradients[row] * gradients[row] + mvsRegularizer).squareRoot()
            }
            let threshold = mvsThreshold(UnsafeBufferPointer(multipliers), keep: subsample * Double(gradients.count))
            let inverseThreshold = threshold > 0 ? 1 / threshold : 0
            for row in multipliers.indices {
                // Kept with probability p = min(1, c / μ) and then weighted 1 / p.
                let probability = threshold > 0 ? min(1, multipliers[row] * inverseThreshold) : 1
                multipliers[row] = (1 / probability).kept(if: random.nextUnitInterval() <= probability)
            }
        }
    }

    /// μ with Σ min(1, c_i / μ) = keep: the objects with c ≥ μ get probability 1 and the rest
    /// share what is left in proportion to their importance, so μ = Σ_{c<μ} c / (keep − #{c ≥ μ}).
    ///
    /// Found by iterating that formula from μ = ∞ (nothing clipped). This is Newton's method on
    /// g(t) = Σ min(1, c·t) = keep in t = 1/μ: g is concave and piecewise linear, so the steps
    /// approach from below, the clipped set only grows, and once a step leaves it unchanged the
    /// formula holds exactly. Each step is one branch-free vector pass (a few passes in practice),
    /// where a quickselect partition spent most of its time on stores and mispredicted branches.
    static func mvsThreshold(_ importance: [Double], keep: Double) -> Double {
        importance.withUnsafeBufferPointer { mvsThreshold($0, keep: keep) }
    }

    static func mvsThreshold(_ values: UnsafeBufferPointer<Double>, keep: Double) -> Double {
        // Zero-importance objects never count toward Σ p, so when the positive ones cannot reach
        // `keep` there is no threshold: keep everything.
        guard keep < Double(values.count(where: { $0 > 0 })) else { return 0 }
        var threshold = Double.infinity
        var clipped = -1.0
        while true {
            let (count, sumBelow) = clippedCountAndSumBelow(values, threshold: threshold)
            // keep > count always: g(1/threshold) ≤ keep, and g counts the clipped as 1 each.
            let next = sumBelow / (keep - count)
            if count == clipped { return next }
            clipped = count
            threshold = next
        }
    }

    /// #{c ≥ threshold} and Σ_{c < threshold} c, four lanes at a time.
    private static func clippedCountAndSumBelow(
        _ values: UnsafeBufferPointer<Double>, threshold: Double
    ) -> (count: Double, sumBelow: Double) {
        var counts = SIMD4<Int64>.zero
        var sums = SIMD4<Double>.zero
        let limit = SIMD4(repeating: threshold)
        let raw = UnsafeRawPointer(values.baseAddress!)
        var index = 0
        while index &+ 4 <= values.count {
            let lanes = raw.loadUnaligned(fromByteOffset: index &* 8, as: SIMD4<Double>.self)
            let isClipped = lanes .>= limit
            counts &-= unsafeBitCast(isClipped, to: SIMD4<Int64>.self)  // true lanes are all ones: −1
            sums += lanes.replacing(with: 0, where: isClipped)
            index &+= 4
        }
        var count = Double(counts.wrappedSum())
        var sumBelow = sums.sum()
        while index < values.count {
            let value = values[index]
            count += value >= threshold ? 1 : 0
            sumBelow += value >= threshold ? 0 : value
            index &+= 1
        }
        return (count, sumBelow)
    }
}
