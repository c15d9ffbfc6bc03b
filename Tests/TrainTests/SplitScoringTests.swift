import Testing
@testable import Train

@Suite("Split scoring")
struct SplitScoringTests {
    /// A level with `leafCount` leaves over `binCounts`, cells filled with seeded values.
    static func histograms(leafCount: Int, binCounts: [Int], seed: UInt64) -> LevelHistograms {
        var random = RandomGenerator(seed: seed)
        let offsets = LevelHistograms.offsets(binCounts: binCounts, leafCount: leafCount)
        let cells = (0..<offsets.last!).map { _ in SIMD2(random.nextGaussianPair().0, Double(random.next() % 50)) }
        return LevelHistograms(leafCount: leafCount, offsets: offsets, cells: cells)
    }

    @Test("the same split wins on one thread and on two, with and without noise; noise changes scores by its deviation")
    func threadCountIndependent() {
        let binCounts = [255, 1, 17, 255, 2, 128, 255, 255]
        let histograms = Self.histograms(leafCount: 16, binCounts: binCounts, seed: 3)
        let features = Array(binCounts.indices)
        for noise in [nil, (deviation: 0.5, seed: UInt64(11))] as [(deviation: Double, seed: UInt64)?] {
            let one = SplitScoring.bestSplit(
                histograms: histograms, binCounts: binCounts, features: features, scoreFunction: .cosine, l2: 3,
                noise: noise, threadCount: 1)
            let two = SplitScoring.bestSplit(
                histograms: histograms, binCounts: binCounts, features: features, scoreFunction: .cosine, l2: 3,
                noise: noise, threadCount: 2)
            #expect(one != nil && one == two)
        }
        // Noise is deviation × N(0, 1) per candidate: with a huge deviation the winner's score is
        // dominated by it, and its spread over many draws matches the deviation.
        let draws = (0..<64).compactMap { seed in
            SplitScoring.bestSplit(
                histograms: histograms, binCounts: binCounts, features: features, scoreFunction: .l2, l2: 3,
                noise: (deviation: 1e6, seed: UInt64(seed)), threadCount: 2)
        }
        #expect(Set(draws.map { "\($0.feature)/\($0.borderIndex)" }).count > 32)
        // The maximum of 1,160 standard normals lies between 2 and 5.5 almost surely.
        #expect(draws.allSatisfy { $0.score / 1e6 > 2 && $0.score / 1e6 < 5.5 })
    }

    /// The plain reference of `bestBorder`: border by border, each leaf's left side summed
    /// from its first bin, its terms added in leaf order (CatBoost's order).
    static func referenceBestBorder(
        cells: [SIMD2<Double>], leafCount: Int, binCount: Int, scoreFunction: ScoreFunction, l2: Double
    ) -> (border: Int, score: Double) {
        var best = (border: 0, score: -Double.infinity)
        for border in 0..<(binCount - 1) {
            var numerator = 0.0
            var denominator = 0.0
            for leaf in 0..<leafCount {
                var left = SIMD2<Double>.zero
                for bin in 0...border { left += cells[leaf * binCount + bin] }
                var total = left
                for bin in (border + 1)..<binCount { total += cells[leaf * binCount + bin] }
                let right = total - left
                let leftAverage = left[1] > 0 ? left[0] / (left[1] + l2) : 0
                let rightAverage = right[1] > 0 ? right[0] / (right[1] + l2) : 0
                numerator += leftAverage * left[0]
                numerator += rightAverage * right[0]
                denominator += leftAverage * leftAverage * left[1]
                denominator += rightAverage * rightAverage * right[1]
            }
            let score = scoreFunction == .l2 ? numerator : numerator / (denominator + 1e-100).squareRoot()
            if border == 0 || score > best.score { best = (border, score) }
        }
        return best
    }

    @Test("bestBorder equals the plain reference bit for bit, on dense and sparse leaves (empty bins skipped)",
          arguments: [0.0, 0.5, 0.95, 1.0])
    func bestBorderMatchesReference(emptyShare: Double) {
        var random = RandomGenerator(seed: UInt64(emptyShare * 100) + 7)
        for (leafCount, binCount) in [(1, 2), (1, 255), (4, 3), (16, 40), (32, 255)] {
            let cells: [SIMD2<Double>] = (0..<(leafCount * binCount)).map { index in
                if random.nextUnitInterval() <= emptyShare {
                    return index % 7 == 0 ? SIMD2(-0.0, 0) : .zero  // a signed zero counts as empty
                }
                return SIMD2(random.nextGaussianPair().0, Double(1 + random.next() % 5))
            }
            for scoreFunction in ScoreFunction.allCases {
                let fast = cells.withUnsafeBufferPointer {
                    SplitScoring.bestBorder(
                        cells: $0, leafCount: leafCount, binCount: binCount, scoreFunction: scoreFunction, l2: 3, noise: nil)
                }
                let plain = Self.referenceBestBorder(
                    cells: cells, leafCount: leafCount, binCount: binCount, scoreFunction: scoreFunction, l2: 3)
                #expect(fast.border == plain.border, "\(leafCount) × \(binCount), \(scoreFunction)")
                #expect(fast.score.bitPattern == plain.score.bitPattern, "\(leafCount) × \(binCount), \(scoreFunction)")
            }
        }
    }

    @Test("Gaussian draws have mean 0 and deviation 1")
    func gaussians() {
        var random = RandomGenerator(seed: 5)
        let values = SplitScoring.gaussians(count: 100_001, deviation: 1, random: &random)
        #expect(values.count == 100_001)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.02)
    }
}
