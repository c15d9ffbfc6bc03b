import Model
import Testing
@testable import Train

/// sampling_frequency=PerTreeLevel: every level of a tree draws its own bootstrap sample and
/// chooses its split on that sample alone (CatBoost's `GreedyTensorSearchOblivious`).
@Suite("Sampling per tree level")
struct SamplingFrequencyTests {
    /// Grows one tree sampling per level on `dataset`, logging every level's sample. Gradients
    /// are multiples of 1/64, so with Bernoulli's unit multipliers every histogram sum is exact
    /// in any order.
    static func grow(
        dataset: QuantizedDataset, type: BootstrapType, depth: Int, threadCount: Int
    ) async -> (tree: TreeLearner.GrownTree, draws: [SampledRows]) {
        let rowCount = dataset.rowCount
        var random = RandomGenerator(seed: 77)
        let gradients = (0..<rowCount).map { _ in Double(Int(random.next() % 2001) - 1000) / 64 }
        let passes = LearnPasses(
            targets: [Double](repeating: 0, count: rowCount), weights: [Double](repeating: 1, count: rowCount),
            threadCount: threadCount)
        let log = LockedList<SampledRows>()
        let draw: @Sendable (UInt64) -> SampledRows = { seed in
            let rows = passes.sample(
                type: type, subsample: 0.5, baggingTemperature: 1, mvsRegularizer: 0.05, seed: seed, gradients: gradients)
            log.append(rows)
            return rows
        }
        let learner = TreeLearner(
            dataset: dataset, depth: depth, scoreFunction: .cosine, rsm: 1, threadCount: threadCount,
            subtractionRowCountMin: TreeLearner.subtractionRowCountMinDefault)
        var treeRandom = RandomGenerator(seed: 5)
        let tree = await learner.grow(sample: .perTreeLevel(draw: draw), l2: 3, noiseDeviation: 0, random: &treeRandom)
        return (tree, log.all)
    }

    /// The specification, written plainly: level d groups its own sample by the leaves the
    /// splits before it give each row, sums every (leaf, bin) cell in row order, and takes the
    /// best split of those histograms.
    @Test("Each level's split is the best split of that level's own sample; the levels' samples differ",
          arguments: [BootstrapType.bernoulli, .mvs, .bayesian])
    func eachLevelSplitsItsOwnSample(type: BootstrapType) async {
        var random = RandomGenerator(seed: 3)
        let dataset = HistogramTests.dataset(rowCount: 4_000, featureCount: 6, random: &random)
        let (tree, draws) = await Self.grow(dataset: dataset, type: type, depth: 4, threadCount: 1)
        #expect(tree.splits.count == 4)
        #expect(draws.count == tree.splits.count)
        var leafOfRow = [UInt16](repeating: 0, count: dataset.rowCount)
        for (level, split) in tree.splits.enumerated() where level < draws.count {
            let sample = draws[level]
            let leafCount = 1 << level
            let byLeaf = (0..<leafCount).map { leaf in
                (0..<sample.count).filter { Int(leafOfRow[Int(sample.rowIndex[$0])]) == leaf }.map(UInt32.init)
            }
            var leafStarts = [0]
            for positions in byLeaf { leafStarts.append(leafStarts.last! + positions.count) }
            let rows = LeafGroupedRows(sampled: sample, positions: Array(byLeaf.joined()), leafStarts: leafStarts)
            let histograms = LevelHistograms(
                leafCount: leafCount, offsets: LevelHistograms.offsets(binCounts: dataset.binCounts, leafCount: leafCount),
                cells: HistogramTests.naiveCells(dataset: dataset, rows: rows))
            let expected = SplitScoring.bestSplit(
                histograms: histograms, binCounts: dataset.binCounts, features: Array(0..<dataset.featureCount),
                scoreFunction: .cosine, l2: 3, noise: nil, threadCount: 1)
            #expect(expected == split, "level \(level)")
            for row in 0..<dataset.rowCount
            where dataset.bins[split.feature * dataset.rowCount + row] > UInt8(split.borderIndex) {
                leafOfRow[row] |= 1 << level
            }
        }
        #expect(leafOfRow == tree.leafOfRow)
        for level in 1..<draws.count {
            #expect(draws[level].rowIndex != draws[0].rowIndex || draws[level].gradientWeight != draws[0].gradientWeight)
        }
        if type != .bayesian {
            // About half the rows each time, not the same half.
            let kept = draws.map { Double($0.count) / Double(dataset.rowCount) }
            #expect(kept.allSatisfy { abs($0 - 0.5) < 0.05 }, "\(kept)")
        }
    }

    /// Above `RowBlocks.parallelRowCountMin` rows, two threads draw the sample in two blocks and
    /// build histograms from two row blocks; each block draws from its own stream of the seed.
    @Test("The levels' samples and the tree are the same on one thread and on two",
          arguments: [BootstrapType.bernoulli, .mvs])
    func threadCountIndependent(type: BootstrapType) async {
        var random = RandomGenerator(seed: 4)
        let dataset = HistogramTests.dataset(
            rowCount: 2 * RowBlocks.parallelRowCountMin + 3_000, featureCount: 5, random: &random)
        let one = await Self.grow(dataset: dataset, type: type, depth: 3, threadCount: 1)
        let two = await Self.grow(dataset: dataset, type: type, depth: 3, threadCount: 2)
        #expect(one.draws.count == 3)
        #expect(one.draws.map(\.rowIndex) == two.draws.map(\.rowIndex))
        #expect(one.draws.map(\.gradientWeight) == two.draws.map(\.gradientWeight))
        #expect(one.tree.splits.map(\.feature) == two.tree.splits.map(\.feature))
        #expect(one.tree.splits.map(\.borderIndex) == two.tree.splits.map(\.borderIndex))
        #expect(one.tree.leafOfRow == two.tree.leafOfRow)
        if type == .bernoulli {
            // Unit multipliers keep every sum exact, so even the scores agree to the bit.
            #expect(one.tree.splits == two.tree.splits)
        }
    }

    /// Without a bootstrap every level's sample is every row, and nothing else may change either:
    /// rsm's and random_strength's draws stay in step. CatBoost's trees are equal too.
    @Test("bootstrap_type=No: PerTree and PerTreeLevel train the same model, noise and rsm included")
    func noBootstrapIsFrequencyIndependent() async throws {
        let learn = try loadTable(TrainFixtures.path("rmse_numeric_d6_train.csv"))
        func train(_ frequency: String) async throws -> TrainingResult {
            try await Booster(parameters: TrainingParameters(hyperparameters: [
                "bootstrap_type": "No", "sampling_frequency": frequency, "iterations": "20", "depth": "5",
                "rsm": "0.6", "random_strength": "2", "random_seed": "3",
            ])).train(learn: learn, eval: nil)
        }
        let perTree = try await train("PerTree")
        let perLevel = try await train("PerTreeLevel")
        #expect(perTree.ensemble.trees == perLevel.ensemble.trees)
        #expect(perTree.ensemble.bias == perLevel.ensemble.bias)
    }

    @Test("With a bootstrap, PerTreeLevel trains another model than PerTree from the same seed",
          arguments: [BootstrapType.bernoulli, .mvs])
    func bootstrapDependsOnFrequency(type: BootstrapType) async throws {
        let learn = try loadTable(TrainFixtures.path("rmse_numeric_d6_train.csv"))
        func train(_ frequency: String) async throws -> TrainingResult {
            try await Booster(parameters: TrainingParameters(hyperparameters: [
                "bootstrap_type": type.rawValue, "subsample": "0.5", "sampling_frequency": frequency, "iterations": "20",
                "depth": "5", "random_seed": "3",
            ])).train(learn: learn, eval: nil)
        }
        let perTree = try await train("PerTree")
        let perLevel = try await train("PerTreeLevel")
        #expect(perTree.ensemble.trees.map(\.splits) != perLevel.ensemble.trees.map(\.splits))
        #expect(try await train("PerTreeLevel").ensemble.trees == perLevel.ensemble.trees, "a seed gives one model")
    }
}
