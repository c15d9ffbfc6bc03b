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

/// The rows one histogram pass visits, gathered contiguously so the per-feature loops stream.
struct HistogramRows: Sendable {
    var rowIndex: [UInt32] = []
    var leaf: [UInt16] = []
    /// der1 × weight.
    var gradient: [Double] = []
    var weight: [Double] = []

    var count: Int { rowIndex.count }

}

/// Per-feature gradient histograms of one tree level: for feature `f`, `perFeature[f]` holds
/// `leafCount × binCounts[f]` pairs (Σ der1·w, Σ w), leaf-major. Features not built are empty.
struct LevelHistograms: Sendable {
    var leafCount: Int
    var perFeature: [[Double]]

    /// Below this many rows a pass is never split across row blocks, so small data is summed in
    /// exactly the row order CatBoost uses.
    static let rowBlockRowCountMin = 1 << 16

    /// Sums every row into its (leaf, bin) cell. Large passes are split into one row block per
    /// thread (merged in block order, so results do not depend on scheduling); small passes
    /// with many features are split into feature blocks instead, which keeps row order exact.
    static func build(
        dataset: QuantizedDataset, rows: HistogramRows, leafCount: Int, features: [Int], threadCount: Int
    ) async -> LevelHistograms {
        var perFeature = [[Double]](repeating: [], count: dataset.featureCount)
        let threads = max(1, threadCount)
        var rowBlockCount = 1
        var featureBlockCount = 1
        if threads > 1 {
            if rows.count >= 2 * rowBlockRowCountMin {
                rowBlockCount = min(threads, rows.count / rowBlockRowCountMin)
            } else if rows.count * features.count >= 1 << 18 {
                featureBlockCount = min(threads, features.count)
            }
        }
        let featureBlocks = (0..<featureBlockCount).map { block in
            Array(features[(features.count * block / featureBlockCount)..<(features.count * (block + 1) / featureBlockCount)])
        }
        let rowBlocks = (0..<rowBlockCount).map { block in
            (rows.count * block / rowBlockCount)..<(rows.count * (block + 1) / rowBlockCount)
        }
        if featureBlockCount * rowBlockCount == 1 {
            for (feature, cells) in zip(features, histograms(dataset: dataset, rows: rows, range: 0..<rows.count, leafCount: leafCount, features: features)) {
                perFeature[feature] = cells
            }
            return LevelHistograms(leafCount: leafCount, perFeature: perFeature)
        }
        var partial = [[[Double]]](repeating: [], count: featureBlocks.count * rowBlocks.count)
        await withTaskGroup(of: (Int, [[Double]]).self) { group in
            for (blockIndex, block) in featureBlocks.enumerated() {
                for (rowBlockIndex, range) in rowBlocks.enumerated() {
                    group.addTask {
                        (blockIndex * rowBlocks.count + rowBlockIndex,
                         histograms(dataset: dataset, rows: rows, range: range, leafCount: leafCount, features: block))
                    }
                }
            }
            for await (slot, cells) in group { partial[slot] = cells }
        }
        for (blockIndex, block) in featureBlocks.enumerated() {
            for (position, feature) in block.enumerated() {
                var cells = partial[blockIndex * rowBlocks.count][position]
                for rowBlockIndex in 1..<rowBlocks.count {
                    let more = partial[blockIndex * rowBlocks.count + rowBlockIndex][position]
                    cells.withUnsafeMutableBufferPointer { cells in
                        more.withUnsafeBufferPointer { more in
                            for index in 0..<cells.count { cells[index] += more[index] }
                        }
                    }
                }
                perFeature[feature] = cells
            }
        }
        return LevelHistograms(leafCount: leafCount, perFeature: perFeature)
    }

    /// Histograms of `features` over `rows[range]`.
    static func histograms(
        dataset: QuantizedDataset, rows: HistogramRows, range: Range<Int>, leafCount: Int, features: [Int]
    ) -> [[Double]] {
        var offsets = [Int](repeating: 0, count: features.count)
        var binCounts = [Int](repeating: 0, count: features.count)
        var total = 0
        for (position, feature) in features.enumerated() {
            offsets[position] = total
            binCounts[position] = dataset.binCounts[feature]
            total += leafCount * dataset.binCounts[feature] * 2
        }
        var cells = [Double](repeating: 0, count: total)
        // Gather the rows' bin bytes into one contiguous block first: the scattered reads then
        // overlap freely in a plain copy loop instead of stalling the dependent cell updates.
        let stride = dataset.featureCount
        var compact = [UInt8](repeating: 0, count: range.count * stride + 32)
        compact.withUnsafeMutableBytes { compact in
            dataset.rowMajorBins.withUnsafeBytes { bins in
                rows.rowIndex.withUnsafeBufferPointer { rowIndex in
                    var destination = compact.baseAddress!
                    // One or two 16-byte moves per row instead of a memmove call per row (the call
                    // was 9% of training time at 30 features). Bytes past `stride` land in the next
                    // row's slot, which its own copy overwrites; `compact` has 32 bytes of slack for
                    // the last. Wider rows, and rows too near the end for a wide load, use memmove.
                    let wideLoadEnd = stride <= 32 ? bins.count - 32 : -1
                    for position in range {
                        let start = Int(rowIndex[position]) &* stride
                        if start <= wideLoadEnd {
                            let source = bins.baseAddress! + start
                            destination.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                            if stride > 16 {
                                (destination + 16).storeBytes(
                                    of: (source + 16).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                            }
                        } else {
                            destination.copyMemory(from: bins.baseAddress! + start, byteCount: stride)
                        }
                        destination += stride
                    }
                }
            }
        }
        cells.withUnsafeMutableBufferPointer { cells in
            compact.withUnsafeBufferPointer { bins in
                rows.leaf.withUnsafeBufferPointer { leaf in
                    rows.gradient.withUnsafeBufferPointer { gradient in
                        rows.weight.withUnsafeBufferPointer { weight in
                            features.withUnsafeBufferPointer { features in
                                offsets.withUnsafeBufferPointer { offsets in
                                    binCounts.withUnsafeBufferPointer { binCounts in
                                        accumulate(
                                            bins: bins.baseAddress!, stride: stride,
                                            features: features, offsets: offsets, binCounts: binCounts,
                                            leaf: leaf.baseAddress! + range.lowerBound,
                                            gradient: gradient.baseAddress! + range.lowerBound,
                                            weight: weight.baseAddress! + range.lowerBound,
                                            count: range.count, into: cells.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return features.indices.map { position in
            Array(cells[offsets[position]..<(offsets[position] + leafCount * binCounts[position] * 2)])
        }
    }

    /// The hot loop: per row one load of leaf, gradient and weight and one cache line of bins,
    /// then one cell update per feature.
    @inline(__always)
    static func accumulate(
        bins: UnsafePointer<UInt8>, stride: Int, features: UnsafeBufferPointer<Int>,
        offsets: UnsafeBufferPointer<Int>, binCounts: UnsafeBufferPointer<Int>,
        leaf: UnsafePointer<UInt16>, gradient: UnsafePointer<Double>,
        weight: UnsafePointer<Double>, count: Int, into cells: UnsafeMutablePointer<Double>
    ) {
        let featureCount = features.count
        for position in 0..<count {
            let rowBins = bins + position &* stride
            let leafIndex = Int(leaf[position])
            let g = gradient[position]
            let w = weight[position]
            var slot = 0
            while slot < featureCount {
                let bin = Int(rowBins[features[slot]])
                let cell = offsets[slot] &+ (leafIndex &* binCounts[slot] &+ bin) &* 2
                cells[cell] += g
                cells[cell &+ 1] += w
                slot &+= 1
            }
        }
    }

    /// Fills each parent's larger child as parent − smaller child (the smaller child was built
    /// from rows); `smallIsHigh[p]` says which child of parent `p` was built.
    mutating func subtract(from parent: LevelHistograms, smallIsHigh: [Bool], binCounts: [Int], features: [Int]) {
        let parentCount = parent.leafCount
        precondition(leafCount == 2 * parentCount)
        for feature in features {
            let binCount = binCounts[feature]
            let parentCells = parent.perFeature[feature]
            precondition(parentCells.count == parentCount * binCount * 2)
            perFeature[feature].withUnsafeMutableBufferPointer { cells in
                for leaf in 0..<parentCount {
                    let high = leaf + parentCount
                    let (small, large) = smallIsHigh[leaf] ? (high, leaf) : (leaf, high)
                    for slot in 0..<(binCount * 2) {
                        cells[large * binCount * 2 + slot] = parentCells[leaf * binCount * 2 + slot] - cells[small * binCount * 2 + slot]
                    }
                }
            }
        }
    }
}
