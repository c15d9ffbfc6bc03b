import Model

/// The sampled rows of one tree, in row order.
struct SampledRows: Sendable {
    var rowIndex: [UInt32] = []
    /// (der1 × weight, weight): one 16-byte add per histogram cell update.
    var gradientWeight: [SIMD2<Double>] = []

    var count: Int { rowIndex.count }
}
