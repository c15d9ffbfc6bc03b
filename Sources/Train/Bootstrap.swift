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

    /// `sampleBlock`'s MVS, bit for bit and with the same draws, in vector passes around the one
    /// scalar pass the random stream needs: importance, then probabilities, then the draws, then
    /// the reciprocals. The plain loop spent ~14 ns a row (19% of training on 262k × 14, one
    /// scalar square root and one division per row, each waited on).
    static func sampleMVSBlock(
        subsample: Double, mvsRegularizer: Double, gradients: UnsafeBufferPointer<Double>,
        into multipliers: UnsafeMutableBufferPointer<Double>, random: inout RandomGenerator
    ) {
        precondition(gradients.count == multipliers.count)
        guard subsample < 1 else {
            multipliers.update(repeating: 1)
            return
        }
        let count = multipliers.count
        let vectorEnd = count & ~3
        let source = UnsafeRawPointer(gradients.baseAddress!)
        let target = UnsafeMutableRawPointer(multipliers.baseAddress!)
        @inline(__always) func lanes(_ index: Int) -> SIMD4<Double> {
            target.loadUnaligned(fromByteOffset: index &* 8, as: SIMD4<Double>.self)
        }
        @inline(__always) func store(_ value: SIMD4<Double>, _ index: Int) {
            target.storeBytes(of: value, toByteOffset: index &* 8, as: SIMD4<Double>.self)
        }
        // Importance, counting the positive ones.
        var positives = SIMD4<Int64>.zero
        let regularizer = SIMD4(repeating: mvsRegularizer)
        for index in stride(from: 0, to: vectorEnd, by: 4) {
            let gradient = source.loadUnaligned(fromByteOffset: index &* 8, as: SIMD4<Double>.self)
            let importance = (gradient * gradient + regularizer).squareRoot()
            positives &-= unsafeBitCast(importance .> 0, to: SIMD4<Int64>.self)
            store(importance, index)
        }
        var positiveCount = Int(positives.wrappedSum())
        for index in vectorEnd..<count {
            multipliers[index] = (gradients[index] * gradients[index] + mvsRegularizer).squareRoot()
            positiveCount += multipliers[index] > 0 ? 1 : 0
        }
        let threshold = mvsThreshold(
            UnsafeBufferPointer(multipliers), keep: subsample * Double(count), positiveCount: positiveCount)
        // Probabilities p = min(1, c / μ) (1 without a threshold), written over the importance.
        let inverseThreshold = SIMD4(repeating: threshold > 0 ? 1 / threshold : 0)
        let one = SIMD4<Double>(repeating: 1)
        if threshold > 0 {
            for index in stride(from: 0, to: vectorEnd, by: 4) {
                let scaled = lanes(index) * inverseThreshold
                store(one.replacing(with: scaled, where: scaled .< one), index)
            }
            for index in vectorEnd..<count { multipliers[index] = min(1, multipliers[index] * inverseThreshold[0]) }
        } else {
            multipliers.update(repeating: 1)
        }
        // Kept with probability p: the draws, in row order.
        for index in 0..<count {
            let probability = multipliers[index]
            multipliers[index] = probability.kept(if: random.nextUnitInterval() <= probability)
        }
        // Weighted 1 / p where kept (a kept row's p is positive: draws lie in (0, 1]).
        let zero = SIMD4<Double>.zero
        for index in stride(from: 0, to: vectorEnd, by: 4) {
            let probability = lanes(index)
            store((one / probability).replacing(with: zero, where: probability .<= zero), index)
        }
        for index in vectorEnd..<count where multipliers[index] > 0 { multipliers[index] = 1 / multipliers[index] }
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
        mvsThreshold(values, keep: keep, positiveCount: values.count(where: { $0 > 0 }))
    }

    /// `mvsThreshold` where the caller counted the positive values.
    static func mvsThreshold(_ values: UnsafeBufferPointer<Double>, keep: Double, positiveCount: Int) -> Double {
        // Zero-importance objects never count toward Σ p, so when the positive ones cannot reach
        // `keep` there is no threshold: keep everything.
        guard keep < Double(positiveCount) else { return 0 }
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
