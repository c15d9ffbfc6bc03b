// The per-row loops of tree growth, over raw buffers: each runs once per level over every
// learn row (a million rows × six levels × hundreds of trees), so they are written branch-free
// and without bounds checks. Callers own the arrays and establish the sizes.

/// The sampled rows grouped by the leaf they have reached: leaf `l`'s rows are
/// `positions[ranges[l]]` (indexes into the sampled rows), in row order. Each level splits every
/// leaf's run in two, stably, so a parent's children stay next to each other and the smaller one
/// is a contiguous run. This is CatBoost's (and LightGBM's data partition's) bookkeeping: rows
/// move between two sequential write streams per run, not one stream per leaf.
struct LeafPartition: Sendable {
    var positions: [UInt32]
    var ranges: [Range<Int>]

    /// Every sampled row in leaf 0.
    init(rowCount: Int) {
        positions = (0..<UInt32(rowCount)).map { $0 }
        ranges = [0..<rowCount]
    }

    /// The sampled rows grouped by the leaf `leafOfRow` gives them, in row order within each
    /// leaf (a stable counting sort): a level's fresh sample joining the tree grown so far.
    init(grouping sampled: SampledRows, leafOfRow: [UInt16], leafCount: Int) {
        var starts = [Int](repeating: 0, count: leafCount + 1)
        for row in sampled.rowIndex {
            let leaf = Int(leafOfRow[Int(row)])
            assert(leaf < leafCount, "leaf \(leaf) of row \(row) past \(leafCount) leaves")
            starts[leaf + 1] += 1
        }
        for leaf in 0..<leafCount { starts[leaf + 1] += starts[leaf] }
        var cursors = starts
        var positions = [UInt32](overwrittenCount: sampled.count)
        for (position, row) in sampled.rowIndex.enumerated() {
            let leaf = Int(leafOfRow[Int(row)])
            positions[cursors[leaf]] = UInt32(truncatingIfNeeded: position)
            cursors[leaf] += 1
        }
        self.positions = positions
        ranges = (0..<leafCount).map { starts[$0]..<starts[$0 + 1] }
    }

    var leafCount: Int { ranges.count }

    /// Splits every leaf `l` into `l` (bin ≤ threshold) and `l + leafCount` (bin above), keeping
    /// row order within each. First each block of positions marks its rows' sides and counts its
    /// high rows per leaf; then it writes each row at its child's cursor (after the earlier
    /// blocks' rows of that child).
    mutating func split(
        column: UnsafePointer<UInt8>, threshold: UInt8, rowIndex: [UInt32], threadCount: Int
    ) {
        let parentCount = leafCount
        // Stable whatever the blocks, so small levels split too.
        let blocks = RowBlocks(
            rowCount: positions.count, threadCount: threadCount, minimumRowCount: RowBlocks.exactParallelRowCountMin)
        let ranges = ranges
        // Leaves in position order, so a block walks the runs it overlaps front to back.
        let runOrder = (0..<parentCount).sorted { ranges[$0].lowerBound < ranges[$1].lowerBound }
        var isHigh = [UInt8](overwrittenCount: positions.count)
        let column = SharedRows(UnsafeMutablePointer(mutating: column))
        let highCounts = positions.withUnsafeBufferPointer { positions in
            rowIndex.withUnsafeBufferPointer { rowIndex in
                isHigh.withUnsafeMutableBufferPointer { isHigh in
                    let (positions, rowIndex, isHigh) = (SharedRows(positions), SharedRows(rowIndex), SharedRows(isHigh))
                    return blocks.run { _, rows in
                        var counts = [Int](repeating: 0, count: parentCount)
                        for leaf in runOrder {
                            let run = ranges[leaf].clamped(to: rows)
                            var high = 0
                            for position in run {
                                let side = unsafeBitCast(column[Int(rowIndex[Int(positions[position])])] > threshold, to: UInt8.self)
                                isHigh[position] = side
                                high &+= Int(side)
                            }
                            counts[leaf] = high
                        }
                        return counts
                    }
                }
            }
        }
        // cursors[block][child]: where the block writes its next row of that child.
        var cursors = highCounts.map { _ in [Int](repeating: 0, count: 2 * parentCount) }
        var childRanges = [Range<Int>](repeating: 0..<0, count: 2 * parentCount)
        for leaf in 0..<parentCount {
            let run = ranges[leaf]
            let highTotal = highCounts.reduce(0) { $0 + $1[leaf] }
            let split = run.upperBound - highTotal
            childRanges[leaf] = run.lowerBound..<split
            childRanges[leaf + parentCount] = split..<run.upperBound
            var low = run.lowerBound
            var high = split
            for (block, rows) in blocks.ranges.enumerated() {
                cursors[block][leaf] = low
                cursors[block][leaf + parentCount] = high
                let blockHigh = highCounts[block][leaf]
                low += run.clamped(to: rows).count - blockHigh
                high += blockHigh
            }
        }
        let blockCursors = cursors
        var next = [UInt32](overwrittenCount: positions.count)
        positions.withUnsafeBufferPointer { positions in
            isHigh.withUnsafeBufferPointer { isHigh in
                next.withUnsafeMutableBufferPointer { next in
                    let (positions, isHigh, next) = (SharedRows(positions), SharedRows(isHigh), SharedRows(next))
                    _ = blocks.run { block, rows in
                        for leaf in runOrder {
                            let run = ranges[leaf].clamped(to: rows)
                            var cursor = (low: blockCursors[block][leaf], high: blockCursors[block][leaf + parentCount])
                            for position in run {
                                // Both cursors take the row; only its side's cursor moves on.
                                let side = Int(isHigh[position])
                                let slot = side == 0 ? cursor.low : cursor.high
                                next[slot] = positions[position]
                                cursor.low &+= 1 &- side
                                cursor.high &+= side
                            }
                        }
                    }
                }
            }
        }
        positions = next
        self.ranges = childRanges
    }

    /// The rows of the leaves `included` marks, for a histogram pass: their runs copied out in
    /// leaf order; the other leaves get empty groups.
    func grouped(_ sampled: SampledRows, included: [Bool]) -> LeafGroupedRows {
        var selected: [UInt32] = []
        selected.reserveCapacity(zip(ranges, included).reduce(0) { $0 + ($1.1 ? $1.0.count : 0) })
        var leafStarts = [0]
        for (range, isIncluded) in zip(ranges, included) {
            if isIncluded { selected.append(contentsOf: positions[range]) }
            leafStarts.append(selected.count)
        }
        return LeafGroupedRows(sampled: sampled, positions: selected, leafStarts: leafStarts)
    }
}

/// Sets `bit` in the leaf of every row whose bin is above `threshold` (vectorizable: no branch).
func routeRows(column: UnsafePointer<UInt8>, threshold: UInt8, bit: UInt16, leaves: inout [UInt16]) {
    leaves.withUnsafeMutableBufferPointer { leaves in
        for row in 0..<leaves.count {
            let passes = UInt16(truncatingIfNeeded: unsafeBitCast(column[row] > threshold, to: UInt8.self))
            leaves[row] |= passes &* bit
        }
    }
}
