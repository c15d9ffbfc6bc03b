import Testing
@testable import Train

@Suite("Leaf partition")
struct LeafPartitionTests {
    @Test("Splitting keeps each leaf's rows in row order and matches routing row by row, on one thread and on two",
          arguments: [1, 17, 3 * RowBlocks.parallelRowCountMin + 777])
    func splitsMatchRouting(sampledCount: Int) {
        var random = RandomGenerator(seed: UInt64(sampledCount))
        let rowCount = sampledCount * 2 + 5
        // Sampled rows: an increasing subset of all rows, as the bootstrap yields them.
        var rowIndex: [UInt32] = []
        var row = -1
        for _ in 0..<sampledCount {
            row += 1 + Int(random.next() % 2)
            rowIndex.append(UInt32(row))
        }
        let levels = 4
        let columns = (0..<levels).map { _ in (0..<rowCount).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        let thresholds: [UInt8] = [127, 30, 200, 0]
        for threadCount in [1, 2] {
            var partition = LeafPartition(rowCount: sampledCount)
            var leafOfPosition = [Int](repeating: 0, count: sampledCount)
            for level in 0..<levels {
                columns[level].withUnsafeBufferPointer { column in
                    partition.split(
                        column: column.baseAddress!, threshold: thresholds[level], rowIndex: rowIndex, threadCount: threadCount)
                }
                for position in 0..<sampledCount where columns[level][Int(rowIndex[position])] > thresholds[level] {
                    leafOfPosition[position] |= 1 << level
                }
                #expect(partition.leafCount == 2 << level)
                #expect(partition.ranges.reduce(0) { $0 + $1.count } == sampledCount)
                for leaf in 0..<partition.leafCount {
                    let expected = (0..<sampledCount).filter { leafOfPosition[$0] == leaf }.map(UInt32.init)
                    #expect(Array(partition.positions[partition.ranges[leaf]]) == expected, "level \(level) leaf \(leaf)")
                }
            }
            let grouped = partition.grouped(
                SampledRows(rowIndex: rowIndex, gradientWeight: []),
                included: (0..<partition.leafCount).map { $0 % 3 == 0 })
            #expect(grouped.leafCount == partition.leafCount)
            for leaf in 0..<partition.leafCount {
                let rows = Array(grouped.positions[grouped.leafStarts[leaf]..<grouped.leafStarts[leaf + 1]])
                #expect(rows == (leaf % 3 == 0 ? Array(partition.positions[partition.ranges[leaf]]) : []))
            }
        }
    }

    /// Sampling per tree level groups a fresh sample by the leaves grown so far: the same runs a
    /// sequence of splits would give it, which here is a filter over the positions per leaf.
    @Test("Grouping a sample by leaf index keeps row order in each leaf; empty leaves get empty runs",
          arguments: [0, 1, 5_000])
    func groupingByLeaf(sampledCount: Int) {
        var random = RandomGenerator(seed: UInt64(sampledCount) + 3)
        let rowCount = sampledCount * 2 + 5
        let leafCount = 8
        // Leaf 5 is left empty; the sample is an increasing subset of the rows.
        let leafOfRow = (0..<rowCount).map { _ -> UInt16 in
            let leaf = UInt16(random.next() % UInt64(leafCount))
            return leaf == 5 ? 6 : leaf
        }
        var rowIndex: [UInt32] = []
        var row = -1
        for _ in 0..<sampledCount {
            row += 1 + Int(random.next() % 2)
            rowIndex.append(UInt32(row))
        }
        let partition = LeafPartition(
            grouping: SampledRows(rowIndex: rowIndex, gradientWeight: []), leafOfRow: leafOfRow, leafCount: leafCount)
        #expect(partition.leafCount == leafCount)
        #expect(partition.ranges.first?.lowerBound == 0)
        #expect(partition.ranges.last?.upperBound == sampledCount)
        for leaf in 0..<leafCount {
            let expected = (0..<sampledCount).filter { Int(leafOfRow[Int(rowIndex[$0])]) == leaf }.map(UInt32.init)
            #expect(Array(partition.positions[partition.ranges[leaf]]) == expected, "leaf \(leaf)")
        }
        #expect(partition.ranges[5].isEmpty)
    }
}
