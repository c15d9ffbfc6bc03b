/// Grows one symmetric (oblivious) tree level by level: every level chooses one split for all
/// leaves from the level's histograms, the smaller child of each parent is built from rows and
/// its sibling by subtraction (LightGBM's trick; CatBoost's level caching plays the same role).
struct TreeLearner {
    let dataset: QuantizedDataset
    let depth: Int
    let scoreFunction: ScoreFunction
    let rsm: Double
    let threadCount: Int
    /// Below this many sampled rows every level is built from rows: cheap there, and it keeps
    /// summation order identical to CatBoost's so small-data trees match it bit for bit.
    let subtractionRowCountMin: Int
    /// The `subtractionRowCountMin` training uses (the histogram tests build above it).
    static let subtractionRowCountMinDefault = 50_000

    struct GrownTree {
        var splits: [SplitCandidate]
        /// Final leaf index of every learn row.
        var leafOfRow: [UInt16]
    }

    /// Splits are chosen on the `sampled` rows (all in leaf 0); every row is routed.
    func grow(sampled: SampledRows, l2: Double, noiseDeviation: Double, random: inout RandomGenerator) async -> GrownTree {
        let rowCount = dataset.rowCount
        var leafOfRow = [UInt16](repeating: 0, count: rowCount)
        var partition = LeafPartition(rowCount: sampled.count)
        let allFeatures = Array(0..<dataset.featureCount)
        let useSubtraction = sampled.count >= subtractionRowCountMin
        var histograms = await LevelHistograms.build(
            dataset: dataset, rows: partition.grouped(sampled, included: [true]), threadCount: threadCount)
        var splits: [SplitCandidate] = []
        for level in 0..<depth {
            let candidates = chooseFeatures(allFeatures, random: &random)
            let noise = noiseDeviation > 0 ? (deviation: noiseDeviation, seed: random.next()) : nil
            let best = SplitScoring.bestSplit(
                histograms: histograms, binCounts: dataset.binCounts, features: candidates,
                scoreFunction: scoreFunction, l2: l2, noise: noise, threadCount: threadCount)
            guard let best else { break }
            splits.append(best)
            // Route every row (leaf values use all rows); the sampled ones move in `partition` below.
            let bit = UInt16(1) << UInt16(level)
            let threshold = UInt8(truncatingIfNeeded: best.borderIndex)
            dataset.bins.withUnsafeBufferPointer { bins in
                routeRows(column: bins.baseAddress! + best.feature * rowCount, threshold: threshold, bit: bit, leaves: &leafOfRow)
            }
            // CatBoost drops a split that no longer separates anything (every pair of leaves
            // it distinguishes has an empty side, over all learn rows) and stops the tree there.
            if let redundant = Self.redundantSplit(leafOfRow: leafOfRow, leafCount: 2 << level) {
                splits.remove(at: redundant)
                let lowMask = UInt16((1 << redundant) - 1)
                for row in 0..<rowCount {
                    let leaf = leafOfRow[row]
                    leafOfRow[row] = (leaf & lowMask) | ((leaf >> UInt16(redundant + 1)) << UInt16(redundant))
                }
                break
            }
            guard level + 1 < depth else { break }
            let childCount = 2 << level
            dataset.bins.withUnsafeBufferPointer { bins in
                partition.split(
                    column: bins.baseAddress! + best.feature * rowCount, threshold: threshold,
                    rowIndex: sampled.rowIndex, threadCount: threadCount)
            }
            if useSubtraction {
                let parentCount = childCount / 2
                let smallIsHigh = (0..<parentCount).map {
                    partition.ranges[$0 + parentCount].count <= partition.ranges[$0].count
                }
                let small = partition.grouped(
                    sampled, included: (0..<childCount).map { ($0 >= parentCount) == smallIsHigh[$0 % parentCount] })
                var next = await LevelHistograms.build(dataset: dataset, rows: small, threadCount: threadCount)
                next.subtract(from: histograms, smallIsHigh: smallIsHigh, binCounts: dataset.binCounts)
                histograms = next
            } else {
                let all = partition.grouped(sampled, included: [Bool](repeating: true, count: childCount))
                histograms = await LevelHistograms.build(dataset: dataset, rows: all, threadCount: threadCount)
            }
        }
        return GrownTree(splits: splits, leafOfRow: leafOfRow)
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
