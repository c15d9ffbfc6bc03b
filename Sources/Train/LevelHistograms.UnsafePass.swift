extension LevelHistograms {
    /// The memory of one histogram pass, borrowed once, in the shape of swift-collections'
    /// `Deque._UnsafeHandle`: the dataset's row-major bins, the grouped rows' arrays, the cells
    /// being summed and the chunk the rows are gathered into. The kernels take raw pointers;
    /// every pointer into a buffer comes from an accessor that asserts the run lies inside it.
    struct UnsafePass {
        let bins: UnsafeBufferPointer<UInt8>
        let positions: UnsafeBufferPointer<UInt32>
        let rowIndex: UnsafeBufferPointer<UInt32>
        let gradientWeight: UnsafeBufferPointer<SIMD2<Double>>
        let cells: UnsafeMutableBufferPointer<SIMD2<Double>>
        /// `chunkRowCount` rows of bins (`stride` bytes each) plus 32 bytes of slack: the
        /// gather's wide stores may run past the last row.
        let chunkBins: UnsafeMutablePointer<UInt8>
        let chunkGradientWeight: UnsafeMutablePointer<SIMD2<Double>>
        let stride: Int

        /// Bytes of chunk memory a pass over rows `stride` bytes wide needs, gradient pairs first
        /// (so they are 16-byte aligned).
        static func chunkByteCount(stride: Int) -> Int {
            chunkRowCount * MemoryLayout<SIMD2<Double>>.stride + chunkRowCount * stride + 32
        }

        /// Positions `range` of the grouped rows.
        func positions(_ range: Range<Int>) -> UnsafeBufferPointer<UInt32> {
            assert(range.lowerBound >= 0, "negative position")
            assert(range.upperBound <= positions.count, "positions \(range) past \(positions.count)")
            assert(range.count <= chunkRowCount, "more rows than a chunk holds")
            return UnsafeBufferPointer(rebasing: positions[range])
        }

        /// The `count` cells from `offset` on.
        func cells(at offset: Int, count: Int) -> UnsafeMutablePointer<SIMD2<Double>> {
            assert(offset >= 0, "negative cell offset")
            assert(offset + count <= cells.count, "cells \(offset)..<\(offset + count) past \(cells.count)")
            return cells.baseAddress.unsafelyUnwrapped + offset
        }

        /// Feature `feature`'s byte of the chunk's first row (the rest follow every `stride` bytes).
        func chunkBins(feature: Int) -> UnsafeMutablePointer<UInt8> {
            assert(feature >= 0, "negative feature")
            assert(feature < stride, "feature \(feature) past a row of \(stride)")
            return chunkBins + feature
        }
    }

    /// Runs `body` with the pass over `rows` of `dataset` into `cells` borrowed; the chunk
    /// memory is a temporary allocation that ends with it.
    static func withUnsafePass<Result>(
        dataset: QuantizedDataset, rows: LeafGroupedRows, cells: UnsafeMutableBufferPointer<SIMD2<Double>>,
        _ body: (UnsafePass) -> Result
    ) -> Result {
        let stride = dataset.featureCount
        let chunkByteCount = UnsafePass.chunkByteCount(stride: stride)
        return withUnsafeTemporaryAllocation(byteCount: chunkByteCount, alignment: 16) { chunk in
            let chunkGradientWeight = chunk.baseAddress.unsafelyUnwrapped
                .bindMemory(to: SIMD2<Double>.self, capacity: chunkRowCount)
            let chunkBins = (chunk.baseAddress.unsafelyUnwrapped + chunkRowCount * MemoryLayout<SIMD2<Double>>.stride)
                .bindMemory(to: UInt8.self, capacity: chunkRowCount * stride + 32)
            // The one place the pass's arrays are borrowed.
            return dataset.rowMajorBins.withUnsafeBufferPointer { bins in
                rows.positions.withUnsafeBufferPointer { positions in
                    rows.sampled.rowIndex.withUnsafeBufferPointer { rowIndex in
                        rows.sampled.gradientWeight.withUnsafeBufferPointer { gradientWeight in
                            body(UnsafePass(
                                bins: bins, positions: positions, rowIndex: rowIndex, gradientWeight: gradientWeight,
                                cells: cells, chunkBins: chunkBins, chunkGradientWeight: chunkGradientWeight,
                                stride: stride))
                        }
                    }
                }
            }
        }
    }
}
