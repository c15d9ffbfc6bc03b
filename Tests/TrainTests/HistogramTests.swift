import Testing
@testable import Train

/// The histogram kernel (gather, four-feature and one-feature accumulation, row and feature
/// blocks) against a plain loop over the column-major bins, and the subtraction path against
/// histograms built from rows: xgboost's `TestBuildHistogram` and `TestSyncHist` checks.
@Suite("Level histograms")
struct HistogramTests {
    /// Bin counts cycling through the edges: one bin (no border), two, and a full byte.
    static func dataset(rowCount: Int, featureCount: Int, random: inout RandomGenerator) -> QuantizedDataset {
        let edgeBinCounts = [1, 2, 17, 255, 256]
        let binCounts = (0..<featureCount).map { edgeBinCounts[$0 % edgeBinCounts.count] }
        var bins: [UInt8] = []
        bins.reserveCapacity(rowCount * featureCount)
        for binCount in binCounts {
            for _ in 0..<rowCount { bins.append(UInt8(truncatingIfNeeded: random.next() % UInt64(binCount))) }
        }
        return QuantizedDataset(rowCount: rowCount, binCounts: binCounts, bins: bins)
    }

    /// About two thirds of the rows, increasing, as the bootstrap keeps them. Dyadic gradient
    /// pairs (multiples of 1/64 and 1/4) sum exactly in any order, so partial sums merged from
    /// row blocks must equal the plain loop's bit for bit; `dyadic: false` draws arbitrary doubles.
    static func sampled(rowCount: Int, dyadic: Bool, random: inout RandomGenerator) -> SampledRows {
        var rows = SampledRows()
        for row in 0..<rowCount where random.next() % 3 != 0 {
            rows.rowIndex.append(UInt32(row))
            let gradient = dyadic ? Double(Int(random.next() % 2001) - 1000) / 64 : random.nextUnitInterval() - 0.5
            let weight = dyadic ? Double(1 + random.next() % 4) / 4 : random.nextUnitInterval()
            rows.gradientWeight.append(SIMD2(gradient * weight, weight))
        }
        return rows
    }

    /// Every sampled row in a random leaf of `leafCount`, leaf 1 left empty, row order kept per leaf.
    static func grouped(_ sampled: SampledRows, leafCount: Int, random: inout RandomGenerator) -> LeafGroupedRows {
        var byLeaf = [[UInt32]](repeating: [], count: leafCount)
        for position in 0..<sampled.count {
            var leaf = Int(random.next() % UInt64(leafCount))
            if leaf == 1, leafCount > 2 { leaf = 2 }
            byLeaf[leaf].append(UInt32(position))
        }
        var leafStarts = [0]
        for rows in byLeaf { leafStarts.append(leafStarts.last! + rows.count) }
        return LeafGroupedRows(sampled: sampled, positions: Array(byLeaf.joined()), leafStarts: leafStarts)
    }

    /// The specification: every grouped row adds its pair to its (leaf, bin) cell of every
    /// feature, in row order, read from the column-major bins.
    static func naiveCells(dataset: QuantizedDataset, rows: LeafGroupedRows) -> [SIMD2<Double>] {
        let offsets = LevelHistograms.offsets(binCounts: dataset.binCounts, leafCount: rows.leafCount)
        var cells = [SIMD2<Double>](repeating: .zero, count: offsets[dataset.featureCount])
        for leaf in 0..<rows.leafCount {
            for slot in rows.leafStarts[leaf]..<rows.leafStarts[leaf + 1] {
                let position = Int(rows.positions[slot])
                let row = Int(rows.sampled.rowIndex[position])
                for feature in 0..<dataset.featureCount {
                    let bin = Int(dataset.bins[feature * dataset.rowCount + row])
                    cells[offsets[feature] + leaf * dataset.binCounts[feature] + bin] += rows.sampled.gradientWeight[position]
                }
            }
        }
        return cells
    }

    /// Row counts: none, one, a few chunks, enough for feature blocks (rows × features ≥ 2¹⁸ on
    /// two threads), and enough for row blocks (≥ 2 × `RowBlocks.parallelRowCountMin` sampled).
    /// Feature counts: one (single-feature loop only), seven (four-wide then three), 20 and 37
    /// (row strides past 16 and past 32 bytes, where the gather's wide copies change).
    @Test("The kernel equals a plain loop over every cell, on one thread and on two",
          arguments: [(0, 7), (1, 1), (3_000, 7), (3_000, 20), (3_000, 37), (70_000, 7), (220_000, 20)], [1, 2])
    func kernelMatchesPlainLoop(shape: (rowCount: Int, featureCount: Int), threadCount: Int) async {
        var random = RandomGenerator(seed: UInt64(shape.rowCount * 100 + shape.featureCount))
        let dataset = Self.dataset(rowCount: shape.rowCount, featureCount: shape.featureCount, random: &random)
        let sampled = Self.sampled(rowCount: shape.rowCount, dyadic: true, random: &random)
        let rows = Self.grouped(sampled, leafCount: 8, random: &random)
        let built = await LevelHistograms.build(dataset: dataset, rows: rows, threadCount: threadCount)
        #expect(built.leafCount == 8)
        #expect(built.offsets == LevelHistograms.offsets(binCounts: dataset.binCounts, leafCount: 8))
        let expected = Self.naiveCells(dataset: dataset, rows: rows)
        #expect(built.cells.count == expected.count)
        let mismatch = zip(built.cells, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(mismatch == nil, "first differing cell: \(String(describing: mismatch))")
    }

    @Test("One block adds each cell's rows in row order: arbitrary doubles match the plain loop bit for bit")
    func singleBlockKeepsRowOrder() async {
        var random = RandomGenerator(seed: 7)
        let dataset = Self.dataset(rowCount: 5_000, featureCount: 9, random: &random)
        let sampled = Self.sampled(rowCount: 5_000, dyadic: false, random: &random)
        let rows = Self.grouped(sampled, leafCount: 4, random: &random)
        let built = await LevelHistograms.build(dataset: dataset, rows: rows, threadCount: 1)
        #expect(built.cells == Self.naiveCells(dataset: dataset, rows: rows))
    }

    /// Two levels as `TreeLearner.grow` runs them above its subtraction threshold: the second
    /// level builds each parent's smaller child from rows and the larger one by subtraction.
    @Test("Subtraction gives the histograms built from rows, and parent = low child + high child",
          arguments: [1, 2])
    func subtractionMatchesRows(threadCount: Int) async {
        let rowCount = 2 * TreeLearner.subtractionRowCountMinDefault
        var random = RandomGenerator(seed: 13)
        var dataset = Self.dataset(rowCount: rowCount, featureCount: 7, random: &random)
        // Level 0 splits on feature 1 (two bins), level 1 on feature 2, rewritten to go high
        // mostly where feature 1 is low: leaf 0's high child is its larger one and leaf 1's its
        // smaller one, so both sides of `smallIsHigh` are taken.
        var bins = dataset.bins
        for row in 0..<rowCount {
            let isHigh = bins[rowCount + row] == 1
            bins[2 * rowCount + row] = random.next() % 10 < (isHigh ? 3 : 7) ? 1 : 0
        }
        dataset = QuantizedDataset(rowCount: rowCount, binCounts: dataset.binCounts, bins: bins)
        let sampled = Self.sampled(rowCount: rowCount, dyadic: true, random: &random)
        #expect(sampled.count >= TreeLearner.subtractionRowCountMinDefault)

        var partition = LeafPartition(rowCount: sampled.count)
        func split(on feature: Int) {
            dataset.bins.withUnsafeBufferPointer { bins in
                partition.split(
                    column: bins.baseAddress! + feature * rowCount, threshold: 0, rowIndex: sampled.rowIndex,
                    threadCount: threadCount)
            }
        }
        split(on: 1)
        let parent = await LevelHistograms.build(
            dataset: dataset, rows: partition.grouped(sampled, included: [true, true]), threadCount: threadCount)
        split(on: 2)
        let smallIsHigh = (0..<2).map { partition.ranges[$0 + 2].count <= partition.ranges[$0].count }
        #expect(smallIsHigh == [false, true])
        let small = partition.grouped(sampled, included: (0..<4).map { ($0 >= 2) == smallIsHigh[$0 % 2] })
        var subtracted = await LevelHistograms.build(dataset: dataset, rows: small, threadCount: threadCount)
        subtracted.subtract(from: parent, smallIsHigh: smallIsHigh, binCounts: dataset.binCounts)
        let fromRows = await LevelHistograms.build(
            dataset: dataset, rows: partition.grouped(sampled, included: [true, true, true, true]), threadCount: threadCount)
        #expect(subtracted.offsets == fromRows.offsets)
        #expect(subtracted.cells == fromRows.cells)

        var sumsMatch = true
        for (feature, binCount) in dataset.binCounts.enumerated() {
            for leaf in 0..<2 {
                for bin in 0..<binCount {
                    let low = fromRows.cells[fromRows.offsets[feature] + leaf * binCount + bin]
                    let high = fromRows.cells[fromRows.offsets[feature] + (leaf + 2) * binCount + bin]
                    sumsMatch = sumsMatch && parent.cells[parent.offsets[feature] + leaf * binCount + bin] == low + high
                }
            }
        }
        #expect(sumsMatch)
    }
}
