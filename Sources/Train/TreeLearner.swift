/// Grows one symmetric (oblivious) tree level by level: every level chooses one split for all
/// leaves from the level's histograms. With one sample per tree the smaller child of each
/// parent is built from rows and its sibling by subtraction (LightGBM's trick; CatBoost's level
/// caching plays the same role); with a sample per level every level is built from its rows.
struct TreeLearner {
    let dataset: QuantizedDataset
    let depth: Int
    let scoreFunction: ScoreFunction
    let rsm: Double
    let threadCount: Int
    /// Below this many sampled rows every level is built from rows: cheap there, and it keeps
    /// summation order identical to CatBoost's so small-data trees match it bit for bit. Where
    /// split search draws at random that match cannot exist, and training passes 0.
    let subtractionRowCountMin: Int
    /// The `subtractionRowCountMin` deterministic training uses (the histogram tests build above it).
    static let subtractionRowCountMinDefault = 50_000
    /// The ranks holding the other rows; every level's histograms and row counts are summed
    /// over them, so every rank chooses the same splits.
    var communicator: any Communicator = SingleProcess()

    /// The features whose histograms and split scores each rank owns: contiguous ranges in rank
    /// order, so the best of the ranks' bests, taken in rank order, is the split one process
    /// would choose (a later feature wins only with a strictly larger score).
    var featureRanges: [Range<Int>] { communicator.contiguousShares(of: dataset.featureCount) }

    struct GrownTree {
        var splits: [SplitCandidate]
        /// Final leaf index of every learn row.
        var leafOfRow: [UInt16]
    }

    /// The rows split search sees (CatBoost's `sampling_frequency`).
    enum SplitSample {
        /// One sample for every level of the tree.
        case perTree(SampledRows)
        /// A sample drawn anew before each level, from the seed given.
        case perTreeLevel(draw: @Sendable (UInt64) -> SampledRows)
    }

    /// Splits are chosen on the sampled rows; every row is routed (leaf values use all rows).
    /// Each level draws its candidate features (rsm), then with `.perTreeLevel` its sample, then
    /// its noise seed, in the order of CatBoost's `GreedyTensorSearchOblivious`
    /// (catboost/private/libs/algo/greedy_tensor_search.cpp: `SelectFeaturesForScoring`,
    /// `DoBootstrap` when not `IsSamplingPerTree`, `CalcScores`).
    func grow(sample: SplitSample, l2: Double, noiseDeviation: Double, random: inout RandomGenerator) async -> GrownTree {
        let rowCount = dataset.rowCount
        var leafOfRow = [UInt16](repeating: 0, count: rowCount)
        var sampled = SampledRows()
        var partition = LeafPartition(rowCount: 0)
        var histograms: LevelHistograms?
        var sampledCount = 0
        if case .perTree(let rows) = sample {
            sampled = rows
            sampledCount = communicator.isDistributed ? Int(communicator.allReduceSum(Double(rows.count))) : rows.count
            partition = LeafPartition(rowCount: rows.count)
            histograms = await reducedHistograms(partition.grouped(sampled, included: [true]), included: [true])
        }
        let allFeatures = Array(0..<dataset.featureCount)
        var splits: [SplitCandidate] = []
        for level in 0..<depth {
            let candidates = chooseFeatures(allFeatures, random: &random)
            if case .perTreeLevel(let draw) = sample {
                // A new sample means new histograms of every leaf, from rows: the previous level's
                // were summed over another sample, so no subtraction (CatBoost likewise turns off
                // its level caching, `NeedToUseTreeLevelCaching`, when not sampling per tree).
                sampled = draw(random.next())
                partition = LeafPartition(grouping: sampled, leafOfRow: leafOfRow, leafCount: 1 << level)
                let every = [Bool](repeating: true, count: 1 << level)
                histograms = await reducedHistograms(partition.grouped(sampled, included: every), included: every)
            }
            guard let levelHistograms = histograms else { preconditionFailure("no histograms for level \(level)") }
            let noise = noiseDeviation > 0 ? (deviation: noiseDeviation, seed: random.next()) : nil
            guard let best = bestSplit(histograms: levelHistograms, candidates: candidates, l2: l2, noise: noise) else { break }
            splits.append(best)
            let bit = UInt16(1) << UInt16(level)
            let threshold = UInt8(truncatingIfNeeded: best.borderIndex)
            dataset.bins.withUnsafeBufferPointer { bins in
                routeRows(column: bins.baseAddress! + best.feature * rowCount, threshold: threshold, bit: bit, leaves: &leafOfRow)
            }
            // CatBoost drops a split that no longer separates anything (every pair of leaves
            // it distinguishes has an empty side, over all learn rows) and stops the tree there.
            if let redundant = redundantSplit(leafOfRow: leafOfRow, leafCount: 2 << level) {
                splits.remove(at: redundant)
                Self.removeBit(redundant, from: &leafOfRow)
                break
            }
            guard level + 1 < depth else { break }
            if case .perTree = sample {
                histograms = await childHistograms(
                    of: levelHistograms, split: best, sampled: sampled, sampledCount: sampledCount, partition: &partition,
                    level: level)
            }
        }
        return GrownTree(splits: splits, leafOfRow: leafOfRow)
    }

    /// This rank's histograms of `rows`, then the `included` leaves of this rank's features
    /// summed over the ranks.
    private func reducedHistograms(_ rows: LeafGroupedRows, included: [Bool]) async -> LevelHistograms {
        var histograms = await LevelHistograms.build(dataset: dataset, rows: rows, threadCount: threadCount)
        histograms.reduce(
            leaves: included, binCounts: dataset.binCounts, featureRanges: featureRanges, communicator: communicator)
        return histograms
    }

    /// The level's split: each rank scores the candidates among its own features, and every
    /// rank takes the best of the ranks' bests, in rank order.
    private func bestSplit(
        histograms: LevelHistograms, candidates: [Int], l2: Double, noise: (deviation: Double, seed: UInt64)?
    ) -> SplitCandidate? {
        guard communicator.isDistributed else {
            return SplitScoring.bestSplit(
                histograms: histograms, binCounts: dataset.binCounts, features: candidates, scoreFunction: scoreFunction,
                l2: l2, noise: noise, threadCount: threadCount)
        }
        let owned = featureRanges[communicator.rank]
        let mine = SplitScoring.bestSplit(
            histograms: histograms, binCounts: dataset.binCounts, features: candidates.filter { owned.contains($0) },
            scoreFunction: scoreFunction, l2: l2, noise: noise, threadCount: threadCount)
        // Every rank's best in its own slot (1, feature, border, score; zeros where it has none),
        // summed: one all-reduce, where a gather of unequal lengths takes two collectives.
        var slots = [Double](repeating: 0, count: 4 * communicator.rankCount)
        if let mine {
            slots.replaceSubrange(
                (4 * communicator.rank)..<(4 * communicator.rank + 4),
                with: [1, Double(mine.feature), Double(mine.borderIndex), mine.score])
        }
        communicator.allReduceSum(&slots)
        var best: SplitCandidate?
        for slot in stride(from: 0, to: slots.count, by: 4) where slots[slot] == 1 {
            let candidate = SplitCandidate(feature: Int(slots[slot + 1]), borderIndex: Int(slots[slot + 2]), score: slots[slot + 3])
            if best == nil || candidate.score > best!.score { best = candidate }
        }
        return best
    }

    /// The next level's histograms over the same sample: the sampled rows move to their
    /// children in `partition`; above `subtractionRowCountMin` sampled rows (over all ranks)
    /// each parent's smaller child (over all ranks) is built from rows and its sibling by
    /// subtraction, below it every child from rows.
    private func childHistograms(
        of parent: LevelHistograms, split: SplitCandidate, sampled: SampledRows, sampledCount: Int,
        partition: inout LeafPartition, level: Int
    ) async -> LevelHistograms {
        let threshold = UInt8(truncatingIfNeeded: split.borderIndex)
        dataset.bins.withUnsafeBufferPointer { bins in
            partition.split(
                column: bins.baseAddress! + split.feature * dataset.rowCount, threshold: threshold,
                rowIndex: sampled.rowIndex, threadCount: threadCount)
        }
        let childCount = 2 << level
        guard sampledCount >= subtractionRowCountMin, Self.subtractionPays(
            sampledCount: sampledCount, parentCount: childCount / 2, binCounts: dataset.binCounts)
        else {
            let every = [Bool](repeating: true, count: childCount)
            return await reducedHistograms(partition.grouped(sampled, included: every), included: every)
        }
        let parentCount = childCount / 2
        var childRowCounts = partition.ranges.map { Double($0.count) }
        communicator.allReduceSum(&childRowCounts)
        let smallIsHigh = (0..<parentCount).map { childRowCounts[$0 + parentCount] <= childRowCounts[$0] }
        let included = (0..<childCount).map { ($0 >= parentCount) == smallIsHigh[$0 % parentCount] }
        var next = await reducedHistograms(partition.grouped(sampled, included: included), included: included)
        next.subtract(from: parent, smallIsHigh: smallIsHigh, binCounts: dataset.binCounts)
        return next
    }

    /// Whether building only the smaller children saves more than the subtraction costs: about
    /// half the sampled rows are not summed (one cell update per feature each), against one
    /// subtraction per cell of every larger child (`parentCount` × bins per feature on average).
    static func subtractionPays(sampledCount: Int, parentCount: Int, binCounts: [Int]) -> Bool {
        sampledCount * binCounts.count >= 2 * parentCount * binCounts.reduce(0, +)
    }

    /// Leaf indices without split bit `bit`: the higher bits move down one place.
    static func removeBit(_ bit: Int, from leafOfRow: inout [UInt16]) {
        let lowMask = UInt16((1 << bit) - 1)
        for row in leafOfRow.indices {
            let leaf = leafOfRow[row]
            leafOfRow[row] = (leaf & lowMask) | ((leaf >> UInt16(bit + 1)) << UInt16(bit))
        }
    }

    /// `redundantSplit` over every rank's rows: a leaf is empty only if it is empty on all.
    private func redundantSplit(leafOfRow: [UInt16], leafCount: Int) -> Int? {
        guard communicator.isDistributed else { return Self.redundantSplit(leafOfRow: leafOfRow, leafCount: leafCount) }
        // Which leaves hold a row here, stopping at the first row that fills the last one (as
        // one process does): counting every row was 7% of a rank's time at 500k rows.
        var holdsRows = [Double](repeating: 0, count: leafCount)
        var populated = 0
        for leaf in leafOfRow where holdsRows[Int(leaf)] == 0 {
            holdsRows[Int(leaf)] = 1
            populated += 1
            if populated == leafCount { break }
        }
        communicator.allReduceSum(&holdsRows)
        return Self.redundantSplit(isEmpty: holdsRows.map { $0 == 0 })
    }

    /// CatBoost's `GetRedundantSplitIdx`: the lowest split index k such that for every leaf
    /// with bit k clear, it or its partner with bit k set is empty.
    static func redundantSplit(leafOfRow: [UInt16], leafCount: Int) -> Int? {
        var isEmpty = [Bool](repeating: true, count: leafCount)
        var populated = 0
        for leaf in leafOfRow where isEmpty[Int(leaf)] {
            isEmpty[Int(leaf)] = false
            populated += 1
            if populated == leafCount { return nil }
        }
        return redundantSplit(isEmpty: isEmpty)
    }

    /// The lowest redundant split of a tree whose empty leaves are `isEmpty`.
    static func redundantSplit(isEmpty: [Bool]) -> Int? {
        let leafCount = isEmpty.count
        var split = 0
        while 1 << split < leafCount {
            let bit = 1 << split
            let redundant = (0..<leafCount).allSatisfy { leaf in leaf & bit != 0 || isEmpty[leaf] || isEmpty[leaf ^ bit] }
            if redundant { return split }
            split += 1
        }
        return nil
    }

    /// `rsm`: each feature is a candidate for a level with probability rsm (at least one is).
    private func chooseFeatures(_ all: [Int], random: inout RandomGenerator) -> [Int] {
        guard rsm < 1 else { return all }
        var chosen = all.filter { _ in random.nextUnitInterval() <= rsm }
        if chosen.isEmpty, let any = all.randomElement(using: &random) { chosen = [any] }
        return chosen
    }
}
