import Model

/// The learn set's bin bytes, quantized once, in two layouts: column-major (feature `f`'s rows
/// are `bins[f * rowCount ..< (f + 1) * rowCount]`) for routing rows by one feature, and
/// row-major (`rowMajorBins[row * featureCount + f]`) for histograms, where a sampled row's
/// bytes for every feature then arrive in one cache line instead of one line per feature.
struct QuantizedDataset: Sendable {
    let rowCount: Int
    /// Borders + 1 per feature.
    let binCounts: [Int]
    let bins: [UInt8]
    let rowMajorBins: [UInt8]

    init(rowCount: Int, binCounts: [Int], bins: [UInt8]) {
        precondition(bins.count == rowCount * binCounts.count)
        precondition(binCounts.allSatisfy { $0 >= 1 && $0 <= 256 })
        self.rowCount = rowCount
        self.binCounts = binCounts
        self.bins = bins
        let featureCount = binCounts.count
        var rowMajor = [UInt8](repeating: 0, count: bins.count)
        rowMajor.withUnsafeMutableBufferPointer { rowMajor in
            bins.withUnsafeBufferPointer { bins in
                for feature in 0..<featureCount {
                    let column = bins.baseAddress! + feature * rowCount
                    for row in 0..<rowCount { rowMajor[row &* featureCount &+ feature] = column[row] }
                }
            }
        }
        rowMajorBins = rowMajor
    }

    var featureCount: Int { binCounts.count }
}
