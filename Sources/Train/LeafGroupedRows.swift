import Model

/// The sampled rows one histogram pass visits, grouped by leaf: `positions` (indexes into
/// `sampled`) of leaf `l` are `positions[leafStarts[l] ..< leafStarts[l + 1]]`, in row order, so a
/// pass adds into one leaf's cells at a time and every cell still sums its rows in row order.
/// Only positions move when rows are grouped; the pass gathers the rest chunk by chunk.
struct LeafGroupedRows: Sendable {
    var sampled: SampledRows
    var positions: [UInt32]
    var leafStarts: [Int]

    var count: Int { positions.count }
    var leafCount: Int { leafStarts.count - 1 }
}
