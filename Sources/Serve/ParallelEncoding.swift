import Model

/// Predictions formatted in per-core slices, joined into one body.
enum ParallelEncoding {
    /// Predictions per slice at least (formatting one takes ~150 ns).
    static let predictionsPerSliceMin = 2048

    static func encode(_ predictions: ArraySlice<Double>, format: PayloadFormat, parallelism: Int) async -> [UInt8] {
        let sliceCount = min(parallelism, predictions.count / predictionsPerSliceMin)
        guard sliceCount > 1 else { return InvocationCodec.encode(predictions, format: format) }
        let step = (predictions.count + sliceCount - 1) / sliceCount
        let slices = await ForkJoin.mapInTasks(sliceCount) { slice in
            let start = predictions.startIndex + slice * step
            let part = predictions[start..<min(start + step, predictions.endIndex)]
            var bytes: [UInt8] = []
            bytes.reserveCapacity(part.count * 24)
            InvocationCodec.appendItems(part, format: format, first: slice == 0, to: &bytes)
            return bytes
        }
        var body: [UInt8] = []
        body.reserveCapacity(slices.reduce(32) { $0 + $1.count })
        body.appendLiteral(InvocationCodec.prefix(format))
        for slice in slices { body.append(contentsOf: slice) }
        body.appendLiteral(InvocationCodec.suffix(format))
        return body
    }
}
