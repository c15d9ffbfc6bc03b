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
        guard body.contains(where: { !InvocationCodec.isSpace($0) }) else {
            throw .badRequest("empty request body: send at least one row")
        }
        let (bounds, firstLines) = sliceBounds(body, sliceCount: sliceCount)
        var slices = [Result<(features: [Float], rowCount: Int), InvocationError>?](repeating: nil, count: sliceCount)
        await withTaskGroup(of: (Int, Result<(features: [Float], rowCount: Int), InvocationError>).self) { group in
            for slice in 0..<sliceCount {
                group.addTask {
                    (slice, decodeCSVSlice(body, from: bounds[slice], to: bounds[slice + 1], firstLineNumber: firstLines[slice], columnCount: columnCount))
                }
            }
            for await (slice, outcome) in group { slices[slice] = outcome }
        }
        var features: [Float] = []
        var rowCount = 0
        for slice in slices {
            // The first error in the text is the one reported.
            let rows = try slice!.get()
            if features.isEmpty {
                features = rows.features
                features.reserveCapacity(rows.features.count * sliceCount + columnCount)
            } else {
                features.append(contentsOf: rows.features)
            }
            rowCount += rows.rowCount
        }
        return (features, rowCount)
    }

    /// Cuts a CSV text after a newline near each 1/n mark: `sliceCount + 1` bounds, and each
    /// slice's first line number (line numbers carry over from slice to slice).
    static func sliceBounds(_ body: [UInt8], sliceCount: Int) -> (bounds: [Int], firstLines: [Int]) {
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

    /// One large CSV request answered in per-core slices that each decode, evaluate and encode
    /// their own rows, so there is one join (of response bytes) instead of one per stage, and
    /// each slice's rows are still in cache when they are scored.
    static func answerCSV(
        _ body: [UInt8], evaluator: Evaluator, outputFormat: PayloadFormat, parallelism: Int
    ) async throws(InvocationError) -> [UInt8]? {
        let sliceCount = min(parallelism, body.count / bytesPerSliceMin)
        guard sliceCount > 1 else { return nil }
        guard body.contains(where: { !InvocationCodec.isSpace($0) }) else {
            throw .badRequest("empty request body: send at least one row")
        }
        let (bounds, firstLines) = sliceBounds(body, sliceCount: sliceCount)
        var slices = [Result<(bytes: [UInt8], rowCount: Int), InvocationError>?](repeating: nil, count: sliceCount)
        await withTaskGroup(of: (Int, Result<(bytes: [UInt8], rowCount: Int), InvocationError>).self) { group in
            for slice in 0..<sliceCount {
                group.addTask {
                    let decoded = decodeCSVSlice(
                        body, from: bounds[slice], to: bounds[slice + 1], firstLineNumber: firstLines[slice],
                        columnCount: evaluator.columnCount)
                    return (slice, decoded.map { rows in
                        let predictions = evaluator.predict(features: rows.features, rowCount: rows.rowCount)
                        var bytes: [UInt8] = []
                        bytes.reserveCapacity(rows.rowCount * 24)
                        InvocationCodec.appendItems(predictions[...], format: outputFormat, first: true, to: &bytes)
                        return (bytes, rows.rowCount)
                    })
                }
            }
            for await (slice, outcome) in group { slices[slice] = outcome }
        }
        var response: [UInt8] = []
        response.reserveCapacity(body.count / 4)
        response.append(contentsOf: InvocationCodec.prefix(outputFormat).utf8)
        var itemsWritten = false
        for slice in slices {
            // The first error in the text is the one reported.
            let encoded = try slice!.get()
            guard encoded.rowCount > 0 else { continue }
            if itemsWritten, outputFormat == .json { response.append(UInt8(ascii: ",")) }
            response.append(contentsOf: encoded.bytes)
            itemsWritten = true
        }
        response.append(contentsOf: InvocationCodec.suffix(outputFormat).utf8)
        return response
    }

    private static func decodeCSVSlice(
        _ body: [UInt8], from start: Int, to end: Int, firstLineNumber: Int, columnCount: Int
    ) -> Result<(features: [Float], rowCount: Int), InvocationError> {
        body.withUnsafeBufferPointer { bytes in
            let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
            let lineCount = CSVRowParser.lineCount(in: text)
            var failure: InvocationError?
            var rowCount = 0
            let features = [Float](unsafeUninitializedCapacity: max(lineCount * columnCount, 1)) { buffer, initialized in
                do throws(InvocationError) {
                    rowCount = try InvocationCodec.parseCSVRows(
                        text, firstLineNumber: firstLineNumber, columnCount: columnCount, into: buffer.baseAddress!)
                } catch {
                    failure = error
                }
                initialized = rowCount * columnCount
            }
            if let failure { return .failure(failure) }
            return .success((features, rowCount))
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
        body.append(contentsOf: InvocationCodec.prefix(format).utf8)
        for slice in slices { body.append(contentsOf: slice) }
        body.append(contentsOf: InvocationCodec.suffix(format).utf8)
        return body
    }
}
