/// Where a split's test reads each row: byte `offset + row · stride` of `bytes`, compared with
/// `border` (above it, or equal to it for a one-hot value). A value, so folds can be routed
/// concurrently.
struct SplitSource: Sendable {
    let bytes: [UInt8]
    let offset: Int
    let stride: Int
    let border: UInt8
    let isEquality: Bool

    /// Sets `bit` in the leaf of every row the split sends to its true side, rows in blocks on
    /// every thread (each block writes only its own rows).
    func route(bit: UInt16, leafOfRow: inout [UInt16], blockCount: Int) {
        let rowCount = leafOfRow.count
        let blocks = RowBlocks(rowCount: rowCount, threadCount: blockCount)
        bytes.withUnsafeBufferPointer { bytes in
            leafOfRow.withUnsafeMutableBufferPointer { leafOfRow in
                let (base, leaves) = (SharedRows(UnsafeMutablePointer(mutating: bytes.baseAddress! + offset)), SharedRows(leafOfRow))
                let (stride, border, isEquality) = (stride, border, isEquality)
                _ = blocks.run { _, rows in
                    for row in rows {
                        let value = base.base[row &* stride]
                        let passes = isEquality ? value == border : value > border
                        leaves.base[row] |= passes ? bit : 0
                    }
                    return 0
                }
            }
        }
    }

    /// Every row's leaf under splits reading these sources (split k sets bit k).
    static func leafOfRow(_ sources: [SplitSource], rowCount: Int) -> [UInt16] {
        var leafOfRow = [UInt16](repeating: 0, count: rowCount)
        leafOfRow.withUnsafeMutableBufferPointer { leafOfRow in
            for (level, source) in sources.enumerated() {
                let bit = UInt16(1) << UInt16(level)
                source.bytes.withUnsafeBufferPointer { bytes in
                    let base = bytes.baseAddress! + source.offset
                    for row in 0..<rowCount {
                        let value = base[row &* source.stride]
                        let passes = source.isEquality ? value == source.border : value > source.border
                        leafOfRow[row] |= passes ? bit : 0
                    }
                }
            }
        }
        return leafOfRow
    }
}
