// The per-row loops of tree growth, over raw buffers: each runs once per level over every
// learn row (a million rows × six levels × hundreds of trees), so they are written branch-free
// and without bounds checks. Callers own the arrays and establish the sizes.

extension SampledRows {
    /// All rows as one leaf: the first level's pass (every row is still in leaf 0).
    var asOneLeaf: LeafGroupedRows {
        LeafGroupedRows(sampled: self, positions: (0..<UInt32(count)).map { $0 }, leafStarts: [0, count])
    }

    /// The rows of the leaves `included` marks, grouped by leaf (a stable counting sort; each
    /// block scatters its rows after the earlier blocks' rows of the same leaf); the other
    /// leaves get empty groups. `blockCounts` comes from `leafCounts` with the same blocks.
    func grouped(blocks: RowBlocks, blockCounts: [[Int]], included: [Bool]) -> LeafGroupedRows {
        let leafCount = included.count
        var leafStarts = [Int](repeating: 0, count: leafCount + 1)
        // cursors[block][leaf]: where the block writes its next row of that leaf.
        var cursors = blockCounts.map { _ in [Int](repeating: 0, count: leafCount) }
        for leaf in 0..<leafCount {
            var position = leafStarts[leaf]
            for block in blockCounts.indices {
                cursors[block][leaf] = position
                position += included[leaf] ? blockCounts[block][leaf] : 0
            }
            leafStarts[leaf + 1] = position
        }
        // An excluded leaf's cursor points at its block's spare slot past the end, where its rows
        // are written and dropped: no branch per row.
        let count = leafStarts[leafCount]
        for block in blockCounts.indices {
            for leaf in 0..<leafCount where !included[leaf] { cursors[block][leaf] = count + block }
        }
        let spare = blockCounts.count
        let blockCursors = cursors
        var positions = [UInt32](repeating: 0, count: count + spare)
        leaf.withUnsafeBufferPointer { leafIn in
            positions.withUnsafeMutableBufferPointer { positions in
                let (leafIn, positions) = (SharedRows(leafIn), SharedRows(positions))
                _ = blocks.run { block, rows in
                    var next = blockCursors[block]
                    next.withUnsafeMutableBufferPointer { next in
                        for position in rows {
                            let leaf = Int(leafIn[position])
                            let slot = next[leaf]
                            positions[slot] = UInt32(truncatingIfNeeded: position)
                            next[leaf] = slot &+ (slot < count ? 1 : 0)
                        }
                    }
                }
            }
        }
        positions.removeLast(spare)
        return LeafGroupedRows(sampled: self, positions: positions, leafStarts: leafStarts)
    }

    /// Copies each sampled row's leaf from the all-rows array, and returns each block's row
    /// count per leaf (`counts[block][leaf]`, for `grouped`).
    mutating func gatherLeaves(from leafOfRow: [UInt16], leafCount: Int, blocks: RowBlocks) -> [[Int]] {
        leafOfRow.withUnsafeBufferPointer { source in
            rowIndex.withUnsafeBufferPointer { rowIndex in
                leaf.withUnsafeMutableBufferPointer { leaf in
                    let (source, rowIndex, leaf) = (SharedRows(source), SharedRows(rowIndex), SharedRows(leaf))
                    return blocks.run { _, rows in
                        var counts = [Int](repeating: 0, count: leafCount)
                        for position in rows {
                            let value = source[Int(rowIndex[position])]
                            leaf[position] = value
                            counts[Int(value)] &+= 1
                        }
                        return counts
                    }
                }
            }
        }
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
