import Model

/// Large CSV requests answered in per-core slices that each decode, evaluate and encode their
/// own rows, so there is one join (of response bytes) instead of one per stage, and each
/// slice's rows are still in cache when they are scored. Every slice task shares its body
/// (copy-on-write, so never copied) and returns its own output array.
enum SlicedCSV {
    /// Below this, splitting a body costs more than it saves (starting a task is microseconds;
    /// parsing runs at ~1 GB/s per core).
    static let bytesPerSliceMin = 128 * 1024

    /// How many slices a body of `byteCount` bytes is cut into; 1 means it is not worth cutting.
    static func sliceCount(byteCount: Int, parallelism: Int) -> Int {
        max(1, min(parallelism, byteCount / bytesPerSliceMin))
    }

    /// The body's response bytes in `outputFormat`, or the 4xx naming its first bad line.
    static func answer(
        _ body: [UInt8], outputFormat: PayloadFormat, evaluator: Evaluator, parallelism: Int
    ) async throws(InvocationError) -> [UInt8] {
        struct Slice: Sendable {
            var bytes: [UInt8]
            var rowCount: Int
        }
        try InvocationCodec.requireContent(body)
        let schema = evaluator.schema
        let bounds = sliceBounds(body, sliceCount: sliceCount(byteCount: body.count, parallelism: parallelism))
        let slices = await ForkJoin.mapInTasks(bounds.count - 1) { slice -> Slice? in
            let range = bounds[slice]..<bounds[slice + 1]
            // Line numbers count from the slice's start: errors are rare, and the one
            // reported is decoded again with its real line numbers below.
            return body.withUnsafeBufferPointer { bytes -> Slice? in
                let rows: (features: [Float], rowCount: Int)
                do throws(InvocationError) {
                    rows = try InvocationCodec.decodeCSV(
                        UnsafeBufferPointer(rebasing: bytes[range]), firstLineNumber: 1, schema: schema)
                } catch {
                    return nil
                }
                let predictions = evaluator.predict(features: rows.features, rowCount: rows.rowCount)
                var encoded: [UInt8] = []
                encoded.reserveCapacity(rows.rowCount * 24)
                InvocationCodec.appendItems(predictions, format: outputFormat, first: true, to: &encoded)
                return Slice(bytes: encoded, rowCount: rows.rowCount)
            }
        }
        if let failed = slices.firstIndex(where: { $0 == nil }) {
            throw firstError(in: body, bounds: bounds, slice: failed, schema: schema)
        }
        var response: [UInt8] = []
        response.reserveCapacity(slices.reduce(32) { $0 + $1!.bytes.count })
        response.appendLiteral(InvocationCodec.prefix(outputFormat))
        var itemsWritten = false
        for case let encoded? in slices where encoded.rowCount > 0 {
            if itemsWritten, outputFormat == .json { response.append(UInt8(ascii: ",")) }
            response.append(contentsOf: encoded.bytes)
            itemsWritten = true
        }
        response.appendLiteral(InvocationCodec.suffix(outputFormat))
        return response
    }

    /// The error of the first slice that failed, its lines numbered from the body's start.
    private static func firstError(in body: [UInt8], bounds: [Int], slice: Int, schema: ColumnSchema) -> InvocationError {
        body.withUnsafeBufferPointer { bytes in
            let firstLine = 1 + CSVRowParser.lineCount(in: UnsafeBufferPointer(rebasing: bytes[..<bounds[slice]]))
            do throws(InvocationError) {
                _ = try InvocationCodec.decodeCSV(
                    UnsafeBufferPointer(rebasing: bytes[bounds[slice]..<bounds[slice + 1]]), firstLineNumber: firstLine,
                    schema: schema)
            } catch {
                return error
            }
            preconditionFailure("a slice that failed to decode decoded on its second reading")
        }
    }

    /// `sliceCount + 1` bounds, each just after a newline near a 1/n mark.
    private static func sliceBounds(_ body: [UInt8], sliceCount: Int) -> [Int] {
        body.withUnsafeBufferPointer { bytes in
            var bounds = [0]
            for slice in 1..<sliceCount {
                let mark = max(bytes.count * slice / sliceCount, bounds[bounds.count - 1])
                bounds.append(min(CSVRowParser.offsetOfNewline(in: bytes.baseAddress!, from: mark, count: bytes.count) + 1, bytes.count))
            }
            bounds.append(bytes.count)
            return bounds
        }
    }
}
