import Testing
@testable import Train

@Suite("Bootstrap")
struct BootstrapTests {
    @Test("MVS threshold solves Σ min(1, c/μ) = keep (unique: the sum falls as μ grows), ties and skew included", arguments: [1, 2, 7, 100, 8192])
    func mvsThreshold(count: Int) {
        var random = RandomGenerator(seed: UInt64(count))
        for shape in 0..<4 {
            let importance: [Double] = (0..<count).map { _ in
                switch shape {
                case 0: return random.nextUnitInterval()
                case 1: return Double(random.next() % 4)  // many ties, zeros
                case 2: return (-random.nextUnitInterval().logarithm).power(3)  // heavy tail
                default: return 1
                }
            }
            for share in [0.1, 0.5, 0.8, 0.99] {
                let keep = share * Double(count)
                guard keep < Double(importance.count(where: { $0 > 0 })) else {
                    #expect(Bootstrap.mvsThreshold(importance, keep: keep) == 0)
                    continue
                }
                let threshold = Bootstrap.mvsThreshold(importance, keep: keep)
                #expect(threshold > 0)
                let expectedKept = importance.reduce(0) { $0 + min(1, $1 / threshold) }
                #expect(abs(expectedKept - keep) <= 1e-9 * Double(count), "shape \(shape) share \(share): Σp = \(expectedKept), keep \(keep)")
            }
        }
    }

    @Test("The vector MVS block equals the plain one bit for bit, draws included",
          arguments: [0, 1, 3, 4, 5, 7, 64, 1001, Bootstrap.blockSize])
    func vectorMVSBlock(count: Int) {
        var random = RandomGenerator(seed: UInt64(count) &+ 11)
        for shape in 0..<4 {
            let gradients: [Double] = (0..<count).map { row in
                switch shape {
                case 0: return random.nextGaussianPair().0
                case 1: return row % 3 == 0 ? 0 : random.nextGaussianPair().0  // zero importance without a regularizer
                case 2: return (-random.nextUnitInterval().logarithm).power(3)  // heavy tail
                default: return 0
                }
            }
            for (subsample, regularizer) in [(0.8, 0.64), (0.5, 0), (0.99, 1e-9), (1, 0.1)] {
                var plain = [Double](repeating: -1, count: count)
                var vector = [Double](repeating: -2, count: count)
                var plainRandom = RandomGenerator(seed: 99, stream: shape)
                var vectorRandom = plainRandom
                gradients.withUnsafeBufferPointer { gradients in
                    plain.withUnsafeMutableBufferPointer {
                        Bootstrap.sampleBlock(
                            type: .mvs, subsample: subsample, baggingTemperature: 1, mvsRegularizer: regularizer,
                            gradients: gradients, into: $0, random: &plainRandom)
                    }
                    vector.withUnsafeMutableBufferPointer {
                        Bootstrap.sampleMVSBlock(
                            subsample: subsample, mvsRegularizer: regularizer, gradients: gradients, into: $0,
                            random: &vectorRandom)
                    }
                }
                #expect(plain.map(\.bitPattern) == vector.map(\.bitPattern), "shape \(shape) subsample \(subsample)")
                #expect(plainRandom == vectorRandom)
                if count >= 1000, shape == 0, subsample < 1 { #expect(plain.contains(0) && plain.contains { $0 > 1 }) }
            }
        }
    }

    /// Large data (row blocks for every pass) and small data (row blocks for the bootstrap only,
    /// from two bootstrap blocks on).
    @Test("Sample weights are the same on one thread and on two; MVS keeps about `subsample` of the rows, unbiased",
          arguments: [BootstrapType.mvs, .bernoulli, .bayesian], [3 * RowBlocks.parallelRowCountMin + 1234, 5 * Bootstrap.blockSize + 321])
    func sampleWeightsPerBlock(type: BootstrapType, rowCount: Int) {
        #expect(LearnPasses(targets: [0, 0], weights: [1, 1], threadCount: 2).sampleBlocks.ranges.count == 1)
        #expect(
            LearnPasses(targets: [Double](repeating: 0, count: rowCount), weights: [Double](repeating: 1, count: rowCount), threadCount: 2)
                .sampleBlocks.ranges.count == 2)
        var random = RandomGenerator(seed: 7)
        let gradients = (0..<rowCount).map { _ in random.nextGaussianPair().0 }
        let weights = [Double](repeating: 1, count: rowCount)
        /// Each row's sample weight (0 when not kept) and the kept rows as split search sees them.
        func draw(threadCount: Int) -> (weights: [Double], rows: SampledRows, sum: Double) {
            let passes = LearnPasses(
                targets: [Double](repeating: 0, count: rowCount), weights: weights, threadCount: threadCount)
            let rows = passes.sample(
                type: type, subsample: 0.8, baggingTemperature: 1, mvsRegularizer: 0.64, seed: 42, gradients: gradients)
            var perRow = [Double](repeating: 0, count: rowCount)
            for (row, pair) in zip(rows.rowIndex, rows.gradientWeight) { perRow[Int(row)] = pair[1] }
            return (perRow, rows, perRow.reduce(0, +))
        }
        let one = draw(threadCount: 1)
        let two = draw(threadCount: 2)
        #expect(one.rows.rowIndex == two.rows.rowIndex)
        #expect(one.rows.gradientWeight == two.rows.gradientWeight)
        // Kept rows are the rows with a positive weight, in row order, der1 scaled to the weight.
        #expect(one.rows.rowIndex.map(Int.init) == one.weights.indices.filter { one.weights[$0] > 0 })
        #expect(zip(one.rows.rowIndex, one.rows.gradientWeight).allSatisfy { row, pair in
            abs(pair[0] - gradients[Int(row)] * pair[1]) <= 1e-12 * abs(pair[0])
        })
        // MVS and Bayesian keep the total weight in expectation; Bernoulli keeps rows unweighted.
        #expect(abs(one.sum / Double(rowCount) - (type == .bernoulli ? 0.8 : 1)) < 0.02)
        if type != .bayesian {
            let kept = Double(one.rows.count) / Double(rowCount)
            #expect(abs(kept - 0.8) < 0.01)
        }
        // Blocks draw from different streams: no two blocks repeat each other's draws.
        let block = Bootstrap.blockSize
        #expect(one.weights[0..<block] != one.weights[block..<(2 * block)])
    }

    /// scale_pos_weight's class weights are object weights: the draw depends on the (weighted)
    /// derivatives only, and a kept row's sample weight is its weight times its multiplier.
    @Test("Object weights multiply each kept row's sample weight and leave the draw unchanged",
          arguments: [BootstrapType.mvs, .bernoulli, .bayesian, .no])
    func objectWeightsScaleSampleWeights(type: BootstrapType) {
        let rowCount = 20_000
        var random = RandomGenerator(seed: 11)
        let gradients = (0..<rowCount).map { _ in random.nextGaussianPair().0 }
        let weights = (0..<rowCount).map { $0 % 3 == 0 ? 3.5 : 1 }
        func draw(weights: [Double]) -> SampledRows {
            LearnPasses(targets: [Double](repeating: 0, count: rowCount), weights: weights, threadCount: 1).sample(
                type: type, subsample: 0.5, baggingTemperature: 1, mvsRegularizer: 0.1, seed: 9, gradients: gradients)
        }
        let unweighted = draw(weights: [Double](repeating: 1, count: rowCount))
        let weighted = draw(weights: weights)
        #expect(weighted.rowIndex == unweighted.rowIndex)
        let pairs = zip(weighted.rowIndex, zip(weighted.gradientWeight, unweighted.gradientWeight))
        #expect(pairs.allSatisfy { row, pair in
            pair.0[0] == pair.1[0] && pair.0[1] == weights[Int(row)] * pair.1[1]
        })
        #expect(weighted.rowIndex.contains { weights[Int($0)] != 1 })
    }
}
