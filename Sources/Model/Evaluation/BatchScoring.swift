#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a headerless CSV (no label column; text in the model's categorical columns) through
/// the fast evaluator and writes one prediction per line, in blocks, so inputs of any size
/// score in constant memory.
public enum BatchScoring {
    /// Parses newline-separated CSV rows (for the CSV benchmark in Benchmarks/ModelBenchmarks).
    package static func parseRowsForBenchmark(_ body: [UInt8], into values: inout [Float]) {
        body.withUnsafeBufferPointer { bytes in
            CSVRowParser.forEachLine(in: bytes) { line, number in
                _ = try? CSVRowParser.parse(line: line, lineNumber: number, into: &values)
            }
        }
    }

    /// Rows scored per evaluation pass: large enough to amortize per-pass setup, small enough
    /// that the block's floats (8192 × columns × 4 bytes) stay in L2 for typical widths.
    static let passRowCount = 8192

    public struct Summary: Sendable {
        public var rowCount: Int
    }

    public static func score(
        evaluator: Evaluator, inputFD: Int32, outputFD: Int32
    ) throws(ModelError) -> Summary {
        let columnCount = evaluator.columnCount
        let schema = evaluator.schema
        var reader = LineReader(fd: inputFD)
        var features: [Float] = []
        features.reserveCapacity(passRowCount * max(columnCount, 1))
        var predictions = [Double](repeating: 0, count: passRowCount)
        var output = OutputBuffer(fd: outputFD)
        var pendingRows = 0
        var totalRows = 0

        func flush() throws(ModelError) {
            guard pendingRows > 0 else { return }
            evaluator.predict(features: features, rowCount: pendingRows, into: &predictions)
            for index in 0..<pendingRows {
                output.append(predictions[index].description)
                output.append(byte: UInt8(ascii: "\n"))
            }
            try output.flushIfLarge()
            totalRows += pendingRows
            pendingRows = 0
            features.removeAll(keepingCapacity: true)
        }

        do throws(LineReaderError<ModelError>) {
            try reader.forEachLine { (line, lineNumber) throws(ModelError) in
                if line.isEmpty || (line.count == 1 && line[0] == UInt8(ascii: "\r")) {
                    return  // blank lines (e.g. a trailing one) carry no row
                }
                let before = features.count
                let fieldCount: Int
                do throws(CSVError) {
                    fieldCount = try CSVRowParser.parse(line: line, lineNumber: lineNumber, schema: schema, into: &features)
                } catch {
                    throw ModelError(error.description)
                }
                guard fieldCount == columnCount else {
                    features.removeSubrange(before...)
                    throw ModelError(
                        CSVError(line: lineNumber, column: nil, message: "expected \(columnCount) columns, found \(fieldCount)").description)
                }
                pendingRows += 1
                if pendingRows == passRowCount { try flush() }
            }
        } catch {
            switch error {
            case .read(let reason): throw ModelError("cannot read input: \(reason)")
            case .body(let error): throw error
            }
        }
        try flush()
        try output.flush()
        return Summary(rowCount: totalRows)
    }
}
