extension Evaluator {
    /// The per-call working memory of the block evaluator, carved from one temporary
    /// allocation: the block's quantized bytes (16-byte aligned, so `computeLeafIndices`
    /// compares straight from memory), four trees' leaf indexes, one column of floats and the
    /// rows' sums.
    struct BlockScratch {
        let quantized: UnsafeMutablePointer<UInt8>
        let indices: UnsafeMutablePointer<UInt8>
        let column: UnsafeMutablePointer<Float>
        let sums: UnsafeMutablePointer<Double>

        /// Every part is a multiple of 16 bytes, so each starts 16-byte aligned.
        static func byteCount(bucketCount: Int) -> Int {
            max(bucketCount, 1) * blockRowCountMax + 4 * blockRowCountMax
                + blockRowCountMax * MemoryLayout<Float>.stride + blockRowCountMax * MemoryLayout<Double>.stride
        }

        init(_ memory: UnsafeMutableRawBufferPointer, bucketCount: Int) {
            precondition(memory.count >= Self.byteCount(bucketCount: bucketCount), "scratch too small")
            let base = memory.baseAddress.unsafelyUnwrapped
            precondition(Int(bitPattern: base) % 16 == 0, "scratch must be 16-byte aligned")
            let quantizedByteCount = max(bucketCount, 1) * blockRowCountMax
            let indicesByteCount = 4 * blockRowCountMax
            let columnByteCount = blockRowCountMax * MemoryLayout<Float>.stride
            quantized = base.bindMemory(to: UInt8.self, capacity: quantizedByteCount)
            indices = (base + quantizedByteCount).bindMemory(to: UInt8.self, capacity: indicesByteCount)
            column = (base + quantizedByteCount + indicesByteCount).bindMemory(to: Float.self, capacity: blockRowCountMax)
            sums = (base + quantizedByteCount + indicesByteCount + columnByteCount)
                .bindMemory(to: Double.self, capacity: blockRowCountMax)
        }
    }
}
