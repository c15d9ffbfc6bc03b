import Model

/// The gradient histograms of one tree level, every feature's in one buffer: feature `f`'s
/// cells are `cells[offsets[f] ..< offsets[f + 1]]`, `leafCount × binCounts[f]` pairs
/// (Σ der1·w, Σ w), leaf-major. One buffer means a level's histograms are allocated, merged
/// and subtracted as one array, never copied per feature.
struct LevelHistograms: Sendable {
    var leafCount: Int
    var offsets: [Int]
    var cells: [SIMD2<Double>]

    /// Rows gathered per step: their bin bytes (row-major) and gradient pairs stay in L1 while
    /// every feature's pass reads them.
    static let chunkRowCount = 512

    /// Below this many cell updates a pass runs on one thread; from it, features are split into
    /// blocks (exact: each feature's rows stay in order). A smaller child of 43k rows' levels
    /// has ~150k.
    static let featureBlockCellCountMin = 1 << 16

    static func offsets(binCounts: [Int], leafCount: Int) -> [Int] {
        var offsets = [0]
        for binCount in binCounts { offsets.append(offsets.last! + leafCount * binCount) }
        return offsets
    }

    /// Sums every row into its (leaf, bin) cell. Large passes are split into one row block per
    /// thread (added in block order, so results do not depend on scheduling); small passes
    /// with many features are split into feature blocks instead, which keeps row order exact.
    static func build(dataset: QuantizedDataset, rows: LeafGroupedRows, threadCount: Int) async -> LevelHistograms {
        let leafCount = rows.leafCount
        let featureCount = dataset.featureCount
        let offsets = offsets(binCounts: dataset.binCounts, leafCount: leafCount)
        let threads = max(1, threadCount)
        var rowBlockCount = 1
        var featureBlockCount = 1
        if threads > 1 {
            // Small data is never split across row blocks, so it is summed in exactly the row
            // order CatBoost uses (the same bound as the other per-row passes).
            if rows.count >= 2 * RowBlocks.parallelRowCountMin {
                rowBlockCount = min(threads, rows.count / RowBlocks.parallelRowCountMin)
            } else if rows.count * featureCount >= featureBlockCellCountMin {
                featureBlockCount = min(threads, featureCount)
            }
        }
        let featureBlocks = (0..<featureBlockCount).map { block in
            (featureCount * block / featureBlockCount)..<(featureCount * (block + 1) / featureBlockCount)
        }
        let rowBlocks = (0..<rowBlockCount).map { block in
            (rows.count * block / rowBlockCount)..<(rows.count * (block + 1) / rowBlockCount)
        }
        // Block b covers feature block b / rowBlockCount over row block b % rowBlockCount. The
        // caller allocates every block's cells: a worker thread's malloc arena unmaps a heap
        // as soon as it is empty, so arrays allocated there faulted their pages in every level
        // (ten times the page faults at 200k rows x 30 features).
        let blockCount = featureBlocks.count * rowBlocks.count
        var partial = (0..<blockCount).map { block in
            let features = featureBlocks[block / rowBlocks.count]
            return [SIMD2<Double>](overwrittenCount: offsets[features.upperBound] - offsets[features.lowerBound])
        }
        partial.withUnsafeMutableBufferPointer { partial in
            let outputs = SharedRows(partial)
            _ = ForkJoin.map(blockCount) { block in
                // In place through the pointer: a subscript's copy would be copied on write.
                (outputs.base + block).pointee.withUnsafeMutableBufferPointer { cells in
                    cells.update(repeating: .zero)  // zeroed by the block, in parallel
                    accumulate(
                        dataset: dataset, rows: rows, range: rowBlocks[block % rowBlocks.count],
                        features: featureBlocks[block / rowBlocks.count], offsets: offsets, into: cells)
                }
            }
        }
        var cells: [SIMD2<Double>] = []
        if featureBlockCount == 1 {
            // Row blocks of every feature, added in block order into the first block's cells,
            // taken out of `partial`: a copy would duplicate the level's histograms (megabytes).
            swap(&cells, &partial[0])
            cells.withUnsafeMutableBufferPointer { cells in
                for more in partial.dropFirst() {
                    more.withUnsafeBufferPointer { more in
                        for index in 0..<cells.count { cells[index] += more[index] }
                    }
                }
            }
        } else {
            // Feature blocks over one row block: each block's cells are its features' slice.
            cells.reserveCapacity(offsets[featureCount])
            for block in partial { cells.append(contentsOf: block) }
        }
        return LevelHistograms(leafCount: leafCount, offsets: offsets, cells: cells)
    }

    /// Adds the rows `rows[range]` of `features` (a contiguous range) into `cells`, laid out as
    /// in a level's buffer from `offsets[features.lowerBound]` on (zero to start a pass).
    static func accumulate(
        dataset: QuantizedDataset, rows: LeafGroupedRows, range: Range<Int>, features: Range<Int>, offsets: [Int],
        into cells: UnsafeMutableBufferPointer<SIMD2<Double>>
    ) {
        let leafCount = rows.leafCount
        let base = offsets[features.lowerBound]
        precondition(cells.count == offsets[features.upperBound] - base, "cells are not the features' cells")
        withUnsafePass(dataset: dataset, rows: rows, cells: cells) { pass in
            for leaf in 0..<leafCount {
                var start = max(range.lowerBound, rows.leafStarts[leaf])
                let leafEnd = min(range.upperBound, rows.leafStarts[leaf + 1])
                while start < leafEnd {
                    let end = min(start + chunkRowCount, leafEnd)
                    gather(
                        positions: pass.positions(start..<end), rowIndex: pass.rowIndex, gradientWeight: pass.gradientWeight,
                        bins: pass.bins, stride: pass.stride, intoBins: pass.chunkBins,
                        gradientWeight: pass.chunkGradientWeight)
                    func leafCells(_ feature: Int) -> UnsafeMutablePointer<SIMD2<Double>> {
                        let binCount = dataset.binCounts[feature]
                        return pass.cells(at: offsets[feature] - base + leaf * binCount, count: binCount)
                    }
                    var feature = features.lowerBound
                    while feature &+ 4 <= features.upperBound {
                        accumulateFour(
                            bins: UnsafeRawPointer(pass.chunkBins(feature: feature)), stride: pass.stride,
                            gradientWeight: pass.chunkGradientWeight, count: end - start,
                            into: (leafCells(feature), leafCells(feature + 1), leafCells(feature + 2), leafCells(feature + 3)))
                        feature &+= 4
                    }
                    while feature < features.upperBound {
                        accumulate(
                            bins: pass.chunkBins(feature: feature), stride: pass.stride,
                            gradientWeight: pass.chunkGradientWeight, count: end - start, into: leafCells(feature))
                        feature &+= 1
                    }
                    start = end
                }
            }
        }
    }

    /// `accumulate` for four adjacent features at once: one 4-byte load brings a row's four
    /// bins and one load its gradient pair, so each cell update costs a load and a store less.
    @inline(__always)
    static func accumulateFour(
        bins: UnsafeRawPointer, stride: Int, gradientWeight: UnsafePointer<SIMD2<Double>>, count: Int,
        into cells: (UnsafeMutablePointer<SIMD2<Double>>, UnsafeMutablePointer<SIMD2<Double>>,
                     UnsafeMutablePointer<SIMD2<Double>>, UnsafeMutablePointer<SIMD2<Double>>)
    ) {
        var row = bins
        for position in 0..<count {
            let four = row.loadUnaligned(as: UInt32.self)
            let pair = gradientWeight[position]
            cells.0[Int(four & 0xFF)] += pair
            cells.1[Int((four >> 8) & 0xFF)] += pair
            cells.2[Int((four >> 16) & 0xFF)] += pair
            cells.3[Int(four >> 24)] += pair
            row += stride
        }
    }

    /// Copies the sampled rows at `positions` into a chunk: their gradient pairs, and their bin
    /// bytes (all features, row-major), contiguously. One or two 16-byte moves per row instead of
    /// a memmove call per row (the call was 9% of training time at 30 features). Bytes past
    /// `stride` land in the next row's slot, which its own copy overwrites; the destination has
    /// 32 bytes of slack for the last. Wider rows, and rows too near the end of `bins` for a wide
    /// load, use memmove.
    @inline(__always)
    static func gather(
        positions: UnsafeBufferPointer<UInt32>, rowIndex: UnsafeBufferPointer<UInt32>,
        gradientWeight: UnsafeBufferPointer<SIMD2<Double>>, bins: UnsafeBufferPointer<UInt8>, stride: Int,
        intoBins destination: UnsafeMutablePointer<UInt8>, gradientWeight chunkGradientWeight: UnsafeMutablePointer<SIMD2<Double>>
    ) {
        var destination = UnsafeMutableRawPointer(destination)
        let wideLoadEnd = stride <= 32 ? bins.count - 32 : -1
        for (offset, position) in positions.enumerated() {
            chunkGradientWeight[offset] = gradientWeight[Int(position)]
            let start = Int(rowIndex[Int(position)]) &* stride
            let source = UnsafeRawPointer(bins.baseAddress! + start)
            if start <= wideLoadEnd {
                destination.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                if stride > 16 {
                    (destination + 16).storeBytes(
                        of: (source + 16).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                }
            } else {
                destination.copyMemory(from: source, byteCount: stride)
            }
            destination += stride
        }
    }

    /// The hot loop: one feature's bins of a chunk of one leaf's rows (every `stride`-th byte),
    /// one 16-byte add per row into that leaf's cells of the feature.
    @inline(__always)
    static func accumulate(
        bins: UnsafePointer<UInt8>, stride: Int, gradientWeight: UnsafePointer<SIMD2<Double>>, count: Int,
        into cells: UnsafeMutablePointer<SIMD2<Double>>
    ) {
        var bin = bins
        for position in 0..<count {
            cells[Int(bin.pointee)] += gradientWeight[position]
            bin += stride
        }
    }

    /// Fills each parent's larger child as parent − smaller child (the smaller child was built
    /// from rows); `smallIsHigh[p]` says which child of parent `p` was built.
    mutating func subtract(from parent: LevelHistograms, smallIsHigh: [Bool], binCounts: [Int]) {
        let parentCount = parent.leafCount
        precondition(leafCount == 2 * parentCount && offsets.count == parent.offsets.count)
        let offsets = offsets
        cells.withUnsafeMutableBufferPointer { cells in
            parent.cells.withUnsafeBufferPointer { parentCells in
                for (feature, binCount) in binCounts.enumerated() {
                    let childBase = offsets[feature]
                    let parentBase = parent.offsets[feature]
                    for leaf in 0..<parentCount {
                        let high = leaf + parentCount
                        let (small, large) = smallIsHigh[leaf] ? (high, leaf) : (leaf, high)
                        for bin in 0..<binCount {
                            cells[childBase + large * binCount + bin] =
                                parentCells[parentBase + leaf * binCount + bin] - cells[childBase + small * binCount + bin]
                        }
                    }
                }
            }
        }
    }
}
