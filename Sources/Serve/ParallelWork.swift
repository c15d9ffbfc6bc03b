import Model

/// One large request's decoding and evaluation split across cores. Every slice task shares the
/// input array (copy-on-write, so never copied) and returns its own output array; the outputs
/// are joined in order afterwards, which costs a memcpy and no unsafe sharing.
enum ParallelDecoding {
    /// Below this, splitting a body costs more than it saves (starting a task is microseconds;
    /// parsing runs at ~400 MB/s per core).
    static let bytesPerSliceMin = 128 * 1024

    static func decode(
        _ body: [UInt8], format: PayloadFormat, columnCount: Int, parallelism: Int
    ) async throws(InvocationError) -> (features: [Float], rowCount: Int) {
        let sliceCount = min(parallelism, body.count / bytesPerSliceMin)
        guard format == .csv, sliceCount > 1 else {
            return try InvocationCodec.decode(body, format: format, columnCount: columnCount)
        }
        let slices = try await eachCSVSlice(body, sliceCount: sliceCount, columnCount: columnCount) { $0 }
        var features: [Float] = []
        features.reserveCapacity(slices.reduce(0) { $0 + $1.features.count })
        for rows in slices { features.append(contentsOf: rows.features) }
        return (features, slices.reduce(0) { $0 + $1.rowCount })
    }

    /// One large CSV request answered in per-core slices that each decode, evaluate and encode
    /// their own rows, so there is one join (of response bytes) instead of one per stage, and
    /// each slice's rows are still in cache when they are scored. Nil when the body is too
    /// small to split.
    static func answerCSV(
        _ body: [UInt8], evaluator: Evaluator, outputFormat: PayloadFormat, parallelism: Int
    ) async throws(InvocationError) -> [UInt8]? {
        let sliceCount = min(parallelism, body.count / bytesPerSliceMin)
        guard sliceCount > 1 else { return nil }
        let slices = try await eachCSVSlice(body, sliceCount: sliceCount, columnCount: evaluator.columnCount) { rows in
            let predictions = evaluator.predict(features: rows.features, rowCount: rows.rowCount)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(rows.rowCount * 24)
            InvocationCodec.appendItems(predictions, format: outputFormat, first: true, to: &bytes)
            return (bytes: bytes, rowCount: rows.rowCount)
        }
        var response: [UInt8] = []
        response.reserveCapacity(slices.reduce(32) { $0 + $1.bytes.count })
        response.appendLiteral(InvocationCodec.prefix(outputFormat))
        var itemsWritten = false
        for encoded in slices where encoded.rowCount > 0 {
            if itemsWritten, outputFormat == .json { response.append(UInt8(ascii: ",")) }
            response.append(contentsOf: encoded.bytes)
            itemsWritten = true
        }
        response.appendLiteral(InvocationCodec.suffix(outputFormat))
        return response
    }

    /// Cuts a CSV body after a newline near each 1/n mark and runs `finish` on each slice's
    /// decoded rows concurrently; results come back in text order, and the first error in the
    /// text is the one thrown. Line numbers carry over from slice to slice.
    private static func eachCSVSlice<Output: Sendable>(
        _ body: [UInt8], sliceCount: Int, columnCount: Int,
        finish: @escaping @Sendable ((features: [Float], rowCount: Int)) -> Output
    ) async throws(InvocationError) -> [Output] {
        try InvocationCodec.requireContent(body)
        let (bounds, firstLines) = sliceBounds(body, sliceCount: sliceCount)
        var slices = [Result<Output, InvocationError>?](repeating: nil, count: sliceCount)
        await withTaskGroup(of: (Int, Result<Output, InvocationError>).self) { group in
            for slice in 0..<sliceCount {
                group.addTask {
                    let decoded = body.withUnsafeBufferPointer { bytes in
                        Result { () throws(InvocationError) in
                            try InvocationCodec.decodeCSV(
                                UnsafeBufferPointer(rebasing: bytes[bounds[slice]..<bounds[slice + 1]]),
                                firstLineNumber: firstLines[slice], columnCount: columnCount)
                        }
                    }
                    return (slice, decoded.map(finish))
                }
            }
            for await (slice, outcome) in group { slices[slice] = outcome }
        }
        var outputs: [Output] = []
        for slice in slices { outputs.append(try slice!.get()) }
        return outputs
    }

    /// `sliceCount + 1` bounds, each just after a newline near a 1/n mark, and each slice's
    /// first line number.
    private static func sliceBounds(_ body: [UInt8], sliceCount: Int) -> (bounds: [Int], firstLines: [Int]) {
        body.withUnsafeBufferPointer { bytes in
            var bounds = [0]
            for slice in 1..<sliceCount {
                let mark = max(bytes.count * slice / sliceCount, bounds[bounds.count - 1])
                bounds.append(min(CSVRowParser.offsetOfNewline(in: bytes.baseAddress!, from: mark, count: bytes.count) + 1, bytes.count))
            }
            bounds.append(bytes.count)
            var firstLines = [1]
            for slice in 0..<(sliceCount - 1) {
                firstLines.append(firstLines[slice] + CSVRowParser.lineCount(in: UnsafeBufferPointer(rebasing: bytes[bounds[slice]..<bounds[slice + 1]])))
            }
            return (bounds, firstLines)
        }
    }
}

enum ParallelEvaluation {
    /// Rows per slice at least: a task must do a few hundred microseconds of work to be worth
    /// starting (the evaluator does ~1.5 rows per microsecond on this model size).
    static let rowsPerSliceMin = 2048

    static func predict(evaluator: Evaluator, features: [Float], rowCount: Int, parallelism: Int) async -> [Double] {
        let sliceCount = min(parallelism, rowCount / rowsPerSliceMin)
        guard sliceCount > 1 else { return evaluator.predict(features: features, rowCount: rowCount) }
        let columnCount = evaluator.columnCount
        // Whole 128-row evaluator blocks per slice, but the last.
        let step = ((rowCount + sliceCount - 1) / sliceCount + 127) / 128 * 128
        var slices = [[Double]](repeating: [], count: (rowCount + step - 1) / step)
        await withTaskGroup(of: (Int, [Double]).self) { group in
            for (slice, start) in stride(from: 0, to: rowCount, by: step).enumerated() {
                let count = min(step, rowCount - start)
                group.addTask {
                    var output = [Double](repeating: 0, count: count)
                    features.withUnsafeBufferPointer { rows in
                        output.withUnsafeMutableBufferPointer { out in
                            evaluator.predict(
                                rows: UnsafeBufferPointer(rebasing: rows[(start * columnCount)..<((start + count) * columnCount)]),
                                rowCount: count, into: out)
                        }
                    }
                    return (slice, output)
                }
            }
            for await (slice, output) in group { slices[slice] = output }
        }
        return Array(slices.joined())
    }
}

enum ParallelEncoding {
    /// Predictions per slice at least (formatting one takes ~150 ns).
    static let predictionsPerSliceMin = 2048

    static func encode(_ predictions: ArraySlice<Double>, format: PayloadFormat, parallelism: Int) async -> [UInt8] {
        let sliceCount = min(parallelism, predictions.count / predictionsPerSliceMin)
        guard sliceCount > 1 else { return InvocationCodec.encode(predictions, format: format) }
        let step = (predictions.count + sliceCount - 1) / sliceCount
        var slices = [[UInt8]](repeating: [], count: sliceCount)
        await withTaskGroup(of: (Int, [UInt8]).self) { group in
            for slice in 0..<sliceCount {
                let start = predictions.startIndex + slice * step
                let part = predictions[start..<min(start + step, predictions.endIndex)]
                group.addTask {
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(part.count * 24)
                    InvocationCodec.appendItems(part, format: format, first: slice == 0, to: &bytes)
                    return (slice, bytes)
                }
            }
            for await (slice, bytes) in group { slices[slice] = bytes }
        }
        var body: [UInt8] = []
        body.reserveCapacity(slices.reduce(32) { $0 + $1.count })
        body.appendLiteral(InvocationCodec.prefix(format))
        for slice in slices { body.append(contentsOf: slice) }
        body.appendLiteral(InvocationCodec.suffix(format))
        return body
    }
}
