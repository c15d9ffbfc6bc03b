// The per-row loops of tree growth, over raw buffers: each runs once per level over every
// learn row (a million rows × six levels × hundreds of trees), so they are written branch-free
// and without bounds checks. Callers own the arrays and establish the sizes.

extension HistogramRows {
    /// Rows with a positive sample weight, in row order (leaf 0).
    init(sampledFrom gradients: [Double], weights: [Double]) {
        let count = weights.count(where: { $0 > 0 })
        rowIndex = [UInt32](repeating: 0, count: count)
        leaf = [UInt16](repeating: 0, count: count)
        gradient = [Double](repeating: 0, count: count)
        weight = [Double](repeating: 0, count: count)
        rowIndex.withUnsafeMutableBufferPointer { rowIndex in
            gradient.withUnsafeMutableBufferPointer { gradientOut in
                weight.withUnsafeMutableBufferPointer { weightOut in
                    var position = 0
                    for row in weights.indices where weights[row] > 0 {
                        rowIndex[position] = UInt32(truncatingIfNeeded: row)
                        gradientOut[position] = gradients[row]
                        weightOut[position] = weights[row]
                        position &+= 1
                    }
                }
            }
        }
    }

    /// The rows whose leaf is the smaller child of its parent (`smallIsHigh[parent]`), grouped by
    /// leaf (a stable counting sort): one leaf's histogram cells stay hot in L1 while its rows
    /// stream, and each cell still sums its rows in row order, so results are unchanged.
    func smallerChildren(smallIsHigh: [Bool], parentCount: Int, rowCounts: [Int]) -> HistogramRows {
        var next = [Int](repeating: -1, count: 2 * parentCount)
        var count = 0
        for leaf in 0..<(2 * parentCount) {
            let isHigh = leaf >= parentCount
            if isHigh == smallIsHigh[leaf % parentCount] {
                next[leaf] = count
                count += rowCounts[leaf]
            }
        }
        var result = HistogramRows()
        result.rowIndex = [UInt32](repeating: 0, count: count)
        result.leaf = [UInt16](repeating: 0, count: count)
        result.gradient = [Double](repeating: 0, count: count)
        result.weight = [Double](repeating: 0, count: count)
        next.withUnsafeMutableBufferPointer { next in
            rowIndex.withUnsafeBufferPointer { rowIndexIn in
                leaf.withUnsafeBufferPointer { leafIn in
                    gradient.withUnsafeBufferPointer { gradientIn in
                        weight.withUnsafeBufferPointer { weightIn in
                            result.rowIndex.withUnsafeMutableBufferPointer { rowIndexOut in
                                result.leaf.withUnsafeMutableBufferPointer { leafOut in
                                    result.gradient.withUnsafeMutableBufferPointer { gradientOut in
                                        result.weight.withUnsafeMutableBufferPointer { weightOut in
                                            for position in 0..<rowIndexIn.count {
                                                let leaf = leafIn[position]
                                                let slot = next[Int(leaf)]
                                                guard slot >= 0 else { continue }
                                                rowIndexOut[slot] = rowIndexIn[position]
                                                leafOut[slot] = leaf
                                                gradientOut[slot] = gradientIn[position]
                                                weightOut[slot] = weightIn[position]
                                                next[Int(leaf)] = slot &+ 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
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
