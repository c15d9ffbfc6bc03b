package import Model

/// Decodes request bodies into row-major float features and encodes predictions.
///
/// A categorical column's value becomes its `CategoryHash`, stored as the float's bit pattern:
/// CSV text as written (RFC 4180 quotes removed), JSON strings, and integers as their decimal
/// text, as CatBoost's Python package hashes an `int`.
public enum InvocationCodec {
    package static func decode(_ body: [UInt8], format: PayloadFormat, schema: ColumnSchema) throws(InvocationError)
        -> (features: [Float], rowCount: Int)
    {
        // A binary body's whitespace bytes are content.
        if format != .recordIO { try requireContent(body) }
        let columnCount = schema.columnCount
        switch format {
        case .recordIO:
            var rows = try RecordIOProtobufCodec.decode(body, columnCount: columnCount)
            try CategoricalNumbers.hash(&rows.features, schema: schema, source: "RecordIO record")
            return rows
        case .csv: return try decodeCSV(body, schema: schema)
        case .json: return try decodeJSON(body, schema: schema)
        case .jsonLines: return try decodeJSONLines(body, schema: schema)
        case .libsvm:
            var rows = try decodeLibSVM(body, columnCount: columnCount)
            try CategoricalNumbers.hash(&rows.features, schema: schema, source: "libsvm line")
            return rows
        }
    }

    /// libsvm lines: an optional label (ignored), then `index:value` pairs with 0-based indexes,
    /// as XGBoost reads them by default (dmlc-core's LibSVMParser, indexing_mode 0); a column
    /// not listed is missing, as in XGBoost's sparse matrices.
    static func decodeLibSVM(_ body: [UInt8], columnCount: Int) throws(InvocationError) -> (features: [Float], rowCount: Int) {
        var features: [Float] = []
        var rowCount = 0
        for (lineIndex, line) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let tokens = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            guard !tokens.isEmpty else { continue }
            let start = features.count
            features.append(contentsOf: repeatElement(.nan, count: columnCount))
            for (position, token) in tokens.enumerated() {
                guard let colon = token.firstIndex(of: UInt8(ascii: ":")) else {
                    if position == 0 { continue }  // the label
                    throw .badRequest("libsvm line \(lineIndex + 1): expected index:value, got \(String(decoding: token, as: UTF8.self))")
                }
                let indexText = String(decoding: token[..<colon], as: UTF8.self)
                let valueText = String(decoding: token[(colon + 1)...], as: UTF8.self)
                guard indexText != "qid" else { continue }
                guard let index = Int(indexText), index >= 0, index < columnCount else {
                    throw .badRequest("libsvm line \(lineIndex + 1): index \(indexText) is not a column in 0..<\(columnCount)")
                }
                guard let value = Double(valueText) else {
                    throw .badRequest("libsvm line \(lineIndex + 1), index \(index): \(valueText) is not a number")
                }
                features[start + index] = Float(value)
            }
            rowCount += 1
        }
        guard rowCount > 0 else { throw .badRequest("no rows in the request") }
        return (features, rowCount)
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// An empty or all-blank body is refused before any format-specific decoding.
    static func requireContent(_ body: [UInt8]) throws(InvocationError) {
        guard body.contains(where: { !isSpace($0) }) else { throw .badRequest("empty request body: send at least one row") }
    }

    static func decodeCSV(_ body: [UInt8], schema: ColumnSchema) throws(InvocationError) -> (features: [Float], rowCount: Int) {
        try body.withUnsafeBufferPointer { (bytes) throws(InvocationError) in
            try decodeCSV(bytes, firstLineNumber: 1, schema: schema)
        }
    }

    /// The rows of a CSV text (a whole body, or a slice of one whose first line is
    /// `firstLineNumber`), parsed straight into a feature matrix with one row slot per line.
    static func decodeCSV(
        _ text: UnsafeBufferPointer<UInt8>, firstLineNumber: Int, schema: ColumnSchema
    ) throws(InvocationError) -> (features: [Float], rowCount: Int) {
        let columnCount = schema.columnCount
        let lineCount = CSVRowParser.lineCount(in: text)
        var failure: InvocationError?
        var rowCount = 0
        let features = [Float](unsafeUninitializedCapacity: max(lineCount * columnCount, 1)) { buffer, initialized in
            do throws(InvocationError) {
                rowCount = try parseCSVRows(text, firstLineNumber: firstLineNumber, schema: schema, into: buffer.baseAddress!)
            } catch {
                failure = error
            }
            initialized = rowCount * columnCount
        }
        if let failure { throw failure }
        return (features, rowCount)
    }

    /// Parses the rows of a CSV text into `output` (room for one row per line), skipping blank
    /// lines; returns the row count. Errors name lines counted from `firstLineNumber`.
    static func parseCSVRows(
        _ bytes: UnsafeBufferPointer<UInt8>, firstLineNumber: Int, schema: ColumnSchema, into output: UnsafeMutablePointer<Float>
    ) throws(InvocationError) -> Int {
        let columnCount = schema.columnCount
        var rowCount = 0
        try CSVRowParser.forEachLine(in: bytes) { (line, lineIndex) throws(InvocationError) in
            if line.allSatisfy(isSpace) { return }
            let lineNumber = firstLineNumber + lineIndex - 1
            let count: Int
            do throws(CSVError) {
                // The text goes on after the line: the row parser may read ahead within it.
                let readable = bytes.baseAddress! + bytes.count - line.baseAddress!
                count = try CSVRowParser.parse(
                    line: line, lineNumber: lineNumber, schema: schema, into: output + rowCount * columnCount,
                    capacity: columnCount, readableCount: readable)
            } catch {
                throw .badRequest("CSV \(error.description)")
            }
            guard count == columnCount else {
                throw .badRequest("CSV line \(lineNumber): \(count) columns, the model expects \(columnCount) (no label column)")
            }
            rowCount += 1
        }
        return rowCount
    }

    static func decodeJSON(_ body: [UInt8], schema: ColumnSchema) throws(InvocationError) -> (features: [Float], rowCount: Int) {
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONValue.parse(body)
        } catch {
            throw .badRequest("invalid JSON: \(error.description)")
        }
        var features: [Float] = []
        var rows: [JSONValue]
        switch document {
        case .object:
            if let instances = document["instances"] {
                guard let array = instances.arrayValue else { throw .badRequest("\"instances\" must be an array of rows") }
                rows = array
            } else if let single = document["features"] {
                rows = [single]
            } else if document["data"] != nil {
                rows = [document]
            } else {
                throw .badRequest(Self.jsonShapes)
            }
        case .array(let elements):
            // A bare row of numbers, or an array of rows.
            rows = elements.allSatisfy({ $0.arrayValue == nil && $0["features"] == nil && $0["data"] == nil }) ? [document] : elements
        default:
            throw .badRequest(Self.jsonShapes)
        }
        guard !rows.isEmpty else { throw .badRequest("no rows in the request") }
        features.reserveCapacity(rows.count * schema.columnCount)
        for (index, row) in rows.enumerated() {
            try appendRow(row, number: index + 1, schema: schema, into: &features)
        }
        return (features, rows.count)
    }

    static func decodeJSONLines(_ body: [UInt8], schema: ColumnSchema) throws(InvocationError) -> (features: [Float], rowCount: Int) {
        var features: [Float] = []
        var rowCount = 0
        var lineNumber = 0
        for line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { !isSpace($0) }) else { continue }
            let value: JSONValue
            do throws(JSONParseError) {
                value = try JSONValue.parse(Array(line))
            } catch {
                throw .badRequest("JSON Lines line \(lineNumber): invalid JSON: \(error.description)")
            }
            try appendRow(value, number: lineNumber, schema: schema, into: &features)
            rowCount += 1
        }
        guard rowCount > 0 else { throw .badRequest("no rows in the request") }
        return (features, rowCount)
    }

    static let jsonShapes = "expected {\"instances\": [[…], …]}, {\"features\": […]}, "
        + "{\"data\": {\"features\": {\"values\": […]}}} or an array of rows"

    /// One row: an array of numbers (null = missing), {"features": [...]}, or the tensor form of
    /// SageMaker's built-in algorithms (developer guide, "Common data formats for inference"):
    /// {"data": {"features": {"values": [...]}}}, dense, or sparse with "keys" and "shape".
    /// A categorical column takes a string or an integer.
    static func appendRow(_ row: JSONValue, number: Int, schema: ColumnSchema, into features: inout [Float]) throws(InvocationError) {
        let columnCount = schema.columnCount
        let values: [JSONValue]
        if let array = row.arrayValue {
            values = array
        } else if let array = row["features"]?.arrayValue {
            values = array
        } else if let tensor = row["data"]?["features"], let array = tensor["values"]?.arrayValue {
            if let keys = tensor["keys"] {
                guard !schema.hasCategoricalColumns else {
                    throw .badRequest("row \(number): a sparse row cannot carry categorical values; send the row dense")
                }
                return try appendSparseRow(
                    keys: keys, shape: tensor["shape"], values: array, number: number, columnCount: columnCount, into: &features)
            }
            values = array
        } else {
            throw .badRequest("row \(number): expected an array of numbers, {\"features\": [...]} or {\"data\": {\"features\": {\"values\": [...]}}}")
        }
        guard values.count == columnCount else {
            throw .badRequest("row \(number): \(values.count) columns, the model expects \(columnCount)")
        }
        for (column, value) in values.enumerated() {
            if schema.isCategorical(column) {
                features.append(CategoryHash.storedValue(try CategoricalNumbers.hash(value, row: number, column: column)))
                continue
            }
            switch value {
            case .number(let number): features.append(Float(number))
            case .null: features.append(.nan)
            default: throw .badRequest("row \(number), column \(column + 1): expected a number or null")
            }
        }
    }

    /// A sparse tensor row: the columns in `keys` (0-based) take `values`, the others are 0, as
    /// in any sparse vector; `shape`, when given, must be the model's column count.
    static func appendSparseRow(
        keys: JSONValue, shape: JSONValue?, values: [JSONValue], number: Int, columnCount: Int, into features: inout [Float]
    ) throws(InvocationError) {
        guard let keys = keys.arrayValue, keys.count == values.count else {
            throw .badRequest("row \(number): sparse \"keys\" must be an array as long as \"values\"")
        }
        if let shape {
            guard let dimensions = shape.arrayValue, dimensions.count == 1, dimensions[0].numberValue == Double(columnCount) else {
                throw .badRequest("row \(number): sparse \"shape\" must be [\(columnCount)], the model's column count")
            }
        }
        let start = features.count
        features.append(contentsOf: repeatElement(0, count: columnCount))
        var seen = Set<Int>()
        for (key, value) in zip(keys, values) {
            guard let index = key.numberValue, index >= 0, index < Double(columnCount), index == index.rounded(),
                seen.insert(Int(index)).inserted
            else {
                throw .badRequest("row \(number): sparse key \(key) is not a new column index in 0..<\(columnCount)")
            }
            switch value {
            case .number(let number): features[start + Int(index)] = Float(number)
            case .null: features[start + Int(index)] = .nan
            default: throw .badRequest("row \(number), column \(Int(index) + 1): expected a number or null")
            }
        }
    }

    public static func encode<Predictions: Collection<Double>>(_ predictions: Predictions, format: PayloadFormat) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(predictions.count * 24 + 20)
        bytes.appendLiteral(prefix(format))
        appendItems(predictions, format: format, first: true, to: &bytes)
        bytes.appendLiteral(suffix(format))
        return bytes
    }

    /// One prediction: the commonest real-time answer, without a collection around it.
    public static func encode(prediction: Double, format: PayloadFormat) -> [UInt8] {
        encode(CollectionOfOne(prediction), format: format)
    }

    /// What comes before the first prediction and after the last; `appendItems` writes the rest,
    /// so large outputs can be encoded in slices and joined (RecordIO frames stand alone).
    static func prefix(_ format: PayloadFormat) -> StaticString { format == .json ? #"{"predictions":["# : "" }
    static func suffix(_ format: PayloadFormat) -> StaticString { format == .json ? "]}" : "" }

    static func appendItems<Predictions: Collection<Double>>(
        _ predictions: Predictions, format: PayloadFormat, first: Bool, to bytes: inout [UInt8]
    ) {
        switch format {
        case .csv, .libsvm:  // libsvm is never an answer format (`canAnswer`)
            for value in predictions {
                appendNumber(value, to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
        case .json:
            var first = first
            for value in predictions {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                bytes.appendLiteral(#"{"score":"#)
                appendJSONNumber(value, to: &bytes)
                bytes.append(UInt8(ascii: "}"))
            }
        case .jsonLines:
            for value in predictions {
                bytes.appendLiteral(#"{"score":"#)
                appendJSONNumber(value, to: &bytes)
                bytes.appendLiteral("}\n")
            }
        case .recordIO:
            RecordIOProtobufCodec.appendRecords(predictions, to: &bytes)
        }
    }

    /// The shortest text that reads back as `value` (Swift's `description`, as Python's repr).
    @inline(__always)
    static func appendNumber(_ value: Double, to bytes: inout [UInt8]) {
        // `write(to:)` spells out a NaN's payload ("nan(0x1…)", "-nan"); `description` says "nan".
        if value.isNaN { bytes.appendLiteral("nan") } else { bytes.appendText(of: value) }
    }

    /// JSON has no NaN or infinities: they become null.
    @inline(__always)
    static func appendJSONNumber(_ value: Double, to bytes: inout [UInt8]) {
        if value.isFinite { appendNumber(value, to: &bytes) } else { bytes.appendLiteral("null") }
    }
}
