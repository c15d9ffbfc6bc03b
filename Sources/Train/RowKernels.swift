// The per-row loops of tree growth, over raw buffers: each runs once per level over every
// learn row (a million rows × six levels × hundreds of trees), so they are written branch-free
// and without bounds checks. Callers own the arrays and establish the sizes.

extension SampledRows {
    /// Rows with a positive sample weight, in row order (leaf 0).
    init(sampledFrom gradients: [Double], weights: [Double]) {
        let count = weights.count(where: { $0 > 0 })
        rowIndex = [UInt32](repeating: 0, count: count)
        leaf = [UInt16](repeating: 0, count: count)
        gradientWeight = [SIMD2<Double>](repeating: .zero, count: count)
        rowIndex.withUnsafeMutableBufferPointer { rowIndex in
            gradientWeight.withUnsafeMutableBufferPointer { gradientWeight in
                var position = 0
                for row in weights.indices where weights[row] > 0 {
                    rowIndex[position] = UInt32(truncatingIfNeeded: row)
                    gradientWeight[position] = SIMD2(gradients[row], weights[row])
                    position &+= 1
                }
            }
        }
    }

    /// All rows as one leaf: the first level's pass (every row is still in leaf 0).
    var asOneLeaf: LeafGroupedRows {
        LeafGroupedRows(rowIndex: rowIndex, gradientWeight: gradientWeight, leafStarts: [0, count])
    }

    /// The rows of the leaves `included` marks, grouped by leaf (a stable counting sort); the
    /// other leaves get empty groups. `rowCounts` gives each leaf's row count.
    func grouped(leafCount: Int, rowCounts: [Int], included: [Bool]) -> LeafGroupedRows {
        var leafStarts = [Int](repeating: 0, count: leafCount + 1)
        for leaf in 0..<leafCount {
            leafStarts[leaf + 1] = leafStarts[leaf] + (included[leaf] ? rowCounts[leaf] : 0)
        }
        // An excluded leaf's cursor points past the end, where its rows are written to a
        // spare slot and dropped: no branch per row.
        let count = leafStarts[leafCount]
        var next = (0..<leafCount).map { included[$0] ? leafStarts[$0] : count }
        var rowIndexOut = [UInt32](repeating: 0, count: count + 1)
        var gradientWeightOut = [SIMD2<Double>](repeating: .zero, count: count + 1)
        next.withUnsafeMutableBufferPointer { next in
            rowIndex.withUnsafeBufferPointer { rowIndexIn in
                leaf.withUnsafeBufferPointer { leafIn in
                    gradientWeight.withUnsafeBufferPointer { gradientWeightIn in
                        rowIndexOut.withUnsafeMutableBufferPointer { rowIndexOut in
                            gradientWeightOut.withUnsafeMutableBufferPointer { gradientWeightOut in
                                for position in 0..<rowIndexIn.count {
                                    let leaf = Int(leafIn[position])
                                    let slot = next[leaf]
                                    rowIndexOut[slot] = rowIndexIn[position]
                                    gradientWeightOut[slot] = gradientWeightIn[position]
                                    next[leaf] = slot &+ (slot < count ? 1 : 0)
                                }
                            }
                        }
                    }
                }
            }
        }
        rowIndexOut.removeLast()
        gradientWeightOut.removeLast()
        return LeafGroupedRows(rowIndex: rowIndexOut, gradientWeight: gradientWeightOut, leafStarts: leafStarts)
    }

    /// Copies each sampled row's leaf from the all-rows array.
    mutating func gatherLeaves(from leafOfRow: [UInt16]) {
        leafOfRow.withUnsafeBufferPointer { source in
            rowIndex.withUnsafeBufferPointer { rowIndex in
                leaf.withUnsafeMutableBufferPointer { leaf in
                    for position in 0..<rowIndex.count { leaf[position] = source[Int(rowIndex[position])] }
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
