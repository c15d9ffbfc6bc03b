/// The learn set's bin bytes, column-major: feature `f`'s rows are `bins[f * rowCount ..< (f + 1) * rowCount]`.
struct QuantizedDataset: Sendable {
    let rowCount: Int
    /// Borders + 1 per feature.
    let binCounts: [Int]
    let bins: [UInt8]

    init(rowCount: Int, binCounts: [Int], bins: [UInt8]) {
        precondition(bins.count == rowCount * binCounts.count)
        precondition(binCounts.allSatisfy { $0 >= 1 && $0 <= 256 })
        self.rowCount = rowCount
        self.binCounts = binCounts
        self.bins = bins
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

    mutating func reserve(_ count: Int) {
        rowIndex.reserveCapacity(count)
        leaf.reserveCapacity(count)
        gradient.reserveCapacity(count)
        weight.reserveCapacity(count)
    }

    @inline(__always)
    mutating func append(row: Int, leaf: UInt16, gradient: Double, weight: Double) {
        rowIndex.append(UInt32(truncatingIfNeeded: row))
        self.leaf.append(leaf)
        self.gradient.append(gradient)
        self.weight.append(weight)
    }
}

/// Per-feature gradient histograms of one tree level: for feature `f`, `perFeature[f]` holds
/// `leafCount × binCounts[f]` pairs (Σ der1·w, Σ w), leaf-major. Features not built are empty.
struct LevelHistograms: Sendable {
    var leafCount: Int
    var perFeature: [[Double]]

    /// Sums every row into its (leaf, bin) cell, one task per lane of features. Rows are
    /// added in row order within each feature, so results do not depend on the thread count.
    static func build(
        dataset: QuantizedDataset, rows: HistogramRows, leafCount: Int, features: [Int], threadCount: Int
    ) async -> LevelHistograms {
        var perFeature = [[Double]](repeating: [], count: dataset.featureCount)
        let laneCount = max(1, min(threadCount, features.count))
        if laneCount == 1 {
            for feature in features {
                perFeature[feature] = histogram(dataset: dataset, rows: rows, leafCount: leafCount, feature: feature)
            }
            return LevelHistograms(leafCount: leafCount, perFeature: perFeature)
        }
        await withTaskGroup(of: [(Int, [Double])].self) { group in
            for lane in 0..<laneCount {
                group.addTask {
                    stride(from: lane, to: features.count, by: laneCount).map { position in
                        let feature = features[position]
                        return (feature, histogram(dataset: dataset, rows: rows, leafCount: leafCount, feature: feature))
                    }
                }
            }
            for await built in group {
                for (feature, histogram) in built { perFeature[feature] = histogram }
            }
        }
        return LevelHistograms(leafCount: leafCount, perFeature: perFeature)
    }

    static func histogram(dataset: QuantizedDataset, rows: HistogramRows, leafCount: Int, feature: Int) -> [Double] {
        let binCount = dataset.binCounts[feature]
        var cells = [Double](repeating: 0, count: leafCount * binCount * 2)
        let count = rows.count
        cells.withUnsafeMutableBufferPointer { cells in
            dataset.bins.withUnsafeBufferPointer { bins in
                rows.rowIndex.withUnsafeBufferPointer { rowIndex in
                    rows.leaf.withUnsafeBufferPointer { leaf in
                        rows.gradient.withUnsafeBufferPointer { gradient in
                            rows.weight.withUnsafeBufferPointer { weight in
                                let column = bins.baseAddress! + feature &* dataset.rowCount
                                let out = cells.baseAddress!
                                for position in 0..<count {
                                    let bin = Int(column[Int(rowIndex[position])])
                                    let cell = (Int(leaf[position]) &* binCount &+ bin) &* 2
                                    out[cell] += gradient[position]
                                    out[cell &+ 1] += weight[position]
                                }
                            }
                        }
                    }
                }
            }
        }
        return cells
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
