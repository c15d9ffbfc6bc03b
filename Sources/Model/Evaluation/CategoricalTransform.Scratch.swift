extension CategoricalTransform {
    /// One `apply` call's working memory, carved from a single allocation into typed regions
    /// (each bound to its own type once): a chunk's operands, the rings of cell indexes and keys
    /// computed ahead of the table being read, and the transposed float columns.
    struct Scratch {
        /// Where each region starts, in bytes, for a transform's counts.
        struct Layout {
            let operandsOffset = 0
            let cellIndexesOffset: Int
            let keysOffset: Int
            let columnsOffset: Int
            let byteCount: Int

            init(operandCount: Int, floatColumnCount: Int) {
                let rows = CategoricalTransform.chunkRowCount
                precondition(rows == SIMD16<UInt32>.scalarCount, "the kernels compute a chunk in one SIMD16")
                let distance = CategoricalTransform.prefetchDistance
                cellIndexesOffset = Self.rounded(operandCount * rows * 4)
                keysOffset = cellIndexesOffset + Self.rounded(distance * rows * 4)
                columnsOffset = keysOffset + Self.rounded(distance * rows * 8)
                byteCount = columnsOffset + Self.rounded(floatColumnCount * rows * 4)
            }

            /// Regions start on cache lines.
            private static func rounded(_ bytes: Int) -> Int { (bytes + 63) & ~63 }
        }

        /// `operandCount × chunkRowCount` operands, operand-major.
        let operands: UnsafeMutablePointer<UInt32>
        private let cellIndexRing: UnsafeMutablePointer<UInt32>
        private let keyRing: UnsafeMutablePointer<UInt64>
        /// The float tests' columns, `chunkRowCount` values each.
        let columns: UnsafeMutablePointer<Float>

        init(_ memory: UnsafeMutableRawPointer, layout: Layout) {
            // Zeroed: the last chunk's rows past its end then hold earlier rows' operands (or 0),
            // which the 16-lane kernels read and ignore.
            operands = (memory + layout.operandsOffset).initializeMemory(
                as: UInt32.self, repeating: 0, count: (layout.cellIndexesOffset - layout.operandsOffset) / 4)
            cellIndexRing = (memory + layout.cellIndexesOffset).bindMemory(
                to: UInt32.self, capacity: (layout.keysOffset - layout.cellIndexesOffset) / 4)
            keyRing = (memory + layout.keysOffset).bindMemory(to: UInt64.self, capacity: (layout.columnsOffset - layout.keysOffset) / 8)
            columns = (memory + layout.columnsOffset).bindMemory(to: Float.self, capacity: (layout.byteCount - layout.columnsOffset) / 4)
        }

        /// Ring entry `index` (< `prefetchDistance`) of cell indexes, `chunkRowCount` of them.
        func cellIndexes(_ index: Int) -> UnsafeMutablePointer<UInt32> { cellIndexRing + index * CategoricalTransform.chunkRowCount }

        /// Ring entry `index` (< `prefetchDistance`) of keys, `chunkRowCount` of them.
        func keys(_ index: Int) -> UnsafeMutablePointer<UInt64> { keyRing + index * CategoricalTransform.chunkRowCount }
    }
}
