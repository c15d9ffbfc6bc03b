#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rows with categorical columns: text fields, hashed as CatBoost hashes them.
///
/// A categorical field is RFC 4180 text: bare (no `"` in it), or wholly inside double quotes
/// with `""` standing for one quote, so commas may be part of the value. Nothing is trimmed (a
/// space belongs to the value: CatBoost hashes exactly the bytes it is given, so ` a` and `a`
/// are different categories), an empty field is the empty string, and a line's trailing `\r`
/// belongs to no field. A value cannot span lines: lines are
/// split at `\n` before they reach the parser. The field's value is stored in the row as
/// `CategoryHash.storedValue` of its hash.
///
/// Numeric columns are read exactly as `parse(line:lineNumber:into:)` reads them (the same field
/// boundaries, missing-value spellings and errors; a quote in a numeric field does not protect a
/// comma there either), through the same `parseField`, so a numeric column's value never depends
/// on the schema. Rows of a schema without categorical columns go to that numeric parser.
extension CSVRowParser {
    /// The longest categorical value accepted, in bytes, unless the caller sets another limit:
    /// real categories are names and codes of tens of bytes; a value of 64 KiB is already a
    /// mistake (a shifted column, a pasted document) or a denial-of-service input, since every
    /// distinct value may be kept with the model. Longer values fail the row, naming it.
    package static let categoryByteCountMax = 64 * 1024

    /// Appends the line's fields to `values`, numeric columns as numbers and categorical ones as
    /// stored hashes, and returns how many fields there were. On failure `values` is unchanged.
    package static func parse(
        line: UnsafeBufferPointer<UInt8>, lineNumber: Int, schema: ColumnSchema, into values: inout [Float],
        categoryByteCountMax: Int = categoryByteCountMax
    ) throws(CSVError) -> Int {
        guard schema.hasCategoricalColumns else { return try parse(line: line, lineNumber: lineNumber, into: &values) }
        // A line of n bytes holds at most n + 1 fields, quoted or not.
        let fieldCountMax = line.count + 1
        if values.capacity - values.count < fieldCountMax {
            values.reserveCapacity(max(values.count + fieldCountMax, values.capacity * 2))
        }
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: fieldCountMax) { (fields) throws(CSVError) in
            let count = try parse(
                line: line, lineNumber: lineNumber, schema: schema, into: fields.baseAddress!, capacity: fieldCountMax,
                categoryByteCountMax: categoryByteCountMax)
            values.append(contentsOf: UnsafeBufferPointer(rebasing: fields[..<count]))
            return count
        }
    }

    /// Parses the line's fields into `output[0..<capacity]` and returns how many fields the line
    /// has; fields past `capacity` are still checked and counted, not stored, as in the numeric
    /// `parse(line:lineNumber:into:capacity:readableCount:)`, which this calls for a schema
    /// without categorical columns.
    ///
    /// `readableCount` is how many bytes may be read from the line's start (at least its
    /// length): numeric fields with 16 readable bytes ahead are scanned eight bytes at a time
    /// (`ShortDecimalScanner`); a line without them is copied next to zeros first, as the numeric
    /// parser does, because the copy costs less than reading its numbers a digit at a time.
    package static func parse(
        line: UnsafeBufferPointer<UInt8>, lineNumber: Int, schema: ColumnSchema, into output: UnsafeMutablePointer<Float>,
        capacity: Int, readableCount: Int? = nil, categoryByteCountMax: Int = categoryByteCountMax
    ) throws(CSVError) -> Int {
        guard schema.hasCategoricalColumns else {
            return try parse(line: line, lineNumber: lineNumber, into: output, capacity: capacity, readableCount: readableCount)
        }
        guard let bytes = line.baseAddress else {
            // An empty line is one empty field.
            if capacity > 0 { output[0] = schema.isCategorical(0) ? CategoryHash.storedValue(emptyCategoryHash) : .nan }
            return 1
        }
        var end = line.count
        if end > 0, bytes[end &- 1] == UInt8(ascii: "\r") { end &-= 1 }
        let readable = max(readableCount ?? line.count, line.count)
        let paddedCount = end &+ ShortDecimalScanner.readableBytesMin
        if readable >= paddedCount || paddedCount > copiedLineBytesMax {
            let row = RowText(
                bytes: bytes, end: end, scanEnd: readable &- ShortDecimalScanner.readableBytesMin, lineNumber: lineNumber,
                categoryByteCountMax: categoryByteCountMax)
            return try parseFields(of: row, schema: schema, into: output, capacity: capacity)
        }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: paddedCount) { (padded) throws(CSVError) in
            let base = padded.baseAddress!
            base.initialize(from: bytes, count: end)
            (base + end).initialize(repeating: 0, count: paddedCount &- end)
            defer { base.deinitialize(count: paddedCount) }
            let row = RowText(bytes: base, end: end, scanEnd: end, lineNumber: lineNumber, categoryByteCountMax: categoryByteCountMax)
            return try parseFields(of: row, schema: schema, into: output, capacity: capacity)
        }
    }

    private static func parseFields(
        of row: RowText, schema: ColumnSchema, into output: UnsafeMutablePointer<Float>, capacity: Int
    ) throws(CSVError) -> Int {
        try schema.categoricalMask.withUnsafeBufferPointer { (isCategorical) throws(CSVError) in
            try parseFields(of: row, isCategorical: isCategorical, into: output, capacity: capacity)
        }
    }

    /// The hash of the empty category (an empty categorical field).
    static let emptyCategoryHash = CategoryHash.hash(UnsafeRawBufferPointer(start: nil, count: 0))

    /// The field loop: each field's kind comes from `isCategorical` (columns past it are numeric).
    private static func parseFields(
        of row: RowText, isCategorical: UnsafeBufferPointer<Bool>, into output: UnsafeMutablePointer<Float>, capacity: Int
    ) throws(CSVError) -> Int {
        var position = 0
        var column = 0
        while true {
            let value: Float
            let fieldEnd: Int
            if column < isCategorical.count, isCategorical[column] {
                let category = try categoricalField(of: row, from: position, column: column &+ 1)
                value = CategoryHash.storedValue(category.hash)
                fieldEnd = category.fieldEnd
            } else {
                (value, fieldEnd) = try numericField(of: row, from: position, column: column &+ 1)
            }
            if column < capacity { output[column] = value }
            column &+= 1
            if fieldEnd >= row.end { return column }
            position = fieldEnd &+ 1  // the comma
        }
    }

    /// The number in the field at `start`, and where the field ends (its comma, or the line's
    /// end). A plain decimal (`-12.5`, at most 19 digits, no exponent) is converted as it is
    /// scanned, eight bytes at a time where the row allows, as the numeric parser's
    /// field-by-field path does, with the same rounding (`float`); anything else goes through
    /// the same `parseField`, so both parsers give every numeric field the same value and error.
    @inline(__always)
    private static func numericField(of row: RowText, from start: Int, column: Int) throws(CSVError) -> (value: Float, fieldEnd: Int) {
        let bytes = row.bytes
        let signBit = minusSignBit(bytes, at: start, end: row.end)
        var position = start &+ Int(truncatingIfNeeded: signBit >> 63)
        if position <= row.scanEnd, let number = ShortDecimalScanner.scan(bytes + position) {
            let numberEnd = position &+ number.length
            if numberEnd == row.end || (numberEnd < row.end && bytes[numberEnd] == UInt8(ascii: ",")) {
                // At most 14 digits, so the mantissa is exact.
                let value = float(
                    number.mantissa, fractionDigitCount: number.fractionDigitCount, signBit: signBit,
                    DecimalParsing.exactPowersOfTen)
                return (value, numberEnd)
            }
        }
        var mantissa: UInt64 = 0
        let digitCount = scanDigits(bytes, &position, end: row.end, into: &mantissa)
        var fractionDigitCount = 0
        if position < row.end, bytes[position] == UInt8(ascii: ".") {
            position &+= 1
            fractionDigitCount = scanDigits(bytes, &position, end: row.end, into: &mantissa)
        }
        let totalDigitCount = digitCount &+ fractionDigitCount
        if position == row.end || bytes[position] == UInt8(ascii: ","),
            totalDigitCount > 0, totalDigitCount <= 19, mantissa <= 1 << 53, fractionDigitCount <= 22
        {
            let value = float(mantissa, fractionDigitCount: fractionDigitCount, signBit: signBit, DecimalParsing.exactPowersOfTen)
            return (value, position)
        }
        let fieldEnd = endOfBareField(bytes, from: position, end: row.end)
        return (try parseField(row.field(start, fieldEnd), line: row.lineNumber, column: column), fieldEnd)
    }

    /// Appends the run of digits at `position` to `mantissa` (wrapping past 19 digits, which the
    /// caller refuses) and moves `position` past it; returns how many digits there were.
    @inline(__always)
    private static func scanDigits(
        _ bytes: UnsafePointer<UInt8>, _ position: inout Int, end: Int, into mantissa: inout UInt64
    ) -> Int {
        let start = position
        while position < end {
            let digit = bytes[position] &- UInt8(ascii: "0")
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            position &+= 1
        }
        return position &- start
    }

    /// The offset of the first comma at or after `start`, or `end`.
    @inline(__always)
    private static func endOfBareField(_ bytes: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var position = start
        while position < end, bytes[position] != UInt8(ascii: ",") { position &+= 1 }
        return position
    }

    /// The hash of the categorical field at `start`, and where it ends (its comma, or the line's end).
    @inline(__always)
    private static func categoricalField(
        of row: RowText, from start: Int, column: Int
    ) throws(CSVError) -> (hash: UInt32, fieldEnd: Int) {
        if start < row.end, row.bytes[start] == UInt8(ascii: "\"") {
            return try quotedCategoricalField(of: row, from: start, column: column)
        }
        let fieldEnd = try endOfBareCategoricalField(of: row, from: start, column: column)
        let byteCount = fieldEnd &- start
        guard byteCount <= row.categoryByteCountMax else {
            throw row.error(column: column, from: start, tooLongMessage(byteCount, row.categoryByteCountMax))
        }
        return (CategoryHash.hash(UnsafeRawBufferPointer(row.field(start, fieldEnd))), fieldEnd)
    }

    /// The end of a bare field, which may not hold a quote: RFC 4180 allows quotes only around
    /// a whole field, and a stray one usually means a mis-quoted value whose commas were split.
    @inline(__always)
    private static func endOfBareCategoricalField(of row: RowText, from start: Int, column: Int) throws(CSVError) -> Int {
        var position = start
        while position < row.end {
            let byte = row.bytes[position]
            if byte == UInt8(ascii: ",") { break }
            if byte == UInt8(ascii: "\"") {
                throw row.error(
                    column: column, from: start,
                    "a quote inside an unquoted field (quote the whole field and double the quotes in it)")
            }
            position &+= 1
        }
        return position
    }

    /// A field from its opening quote: the value is what lies between the quotes with each `""`
    /// read as one `"`; only a comma or the line's end may follow the closing quote.
    private static func quotedCategoricalField(
        of row: RowText, from start: Int, column: Int
    ) throws(CSVError) -> (hash: UInt32, fieldEnd: Int) {
        let contentStart = start &+ 1
        let (closingQuote, escapeCount) = try closingQuote(of: row, from: contentStart, fieldStart: start, column: column)
        let fieldEnd = closingQuote &+ 1
        if fieldEnd < row.end, row.bytes[fieldEnd] != UInt8(ascii: ",") {
            throw row.error(column: column, from: start, "text after the closing quote of a quoted field")
        }
        let byteCount = closingQuote &- contentStart &- escapeCount
        guard byteCount <= row.categoryByteCountMax else {
            throw row.error(column: column, from: start, tooLongMessage(byteCount, row.categoryByteCountMax))
        }
        let content = row.field(contentStart, closingQuote)
        let hash = escapeCount == 0 ? CategoryHash.hash(UnsafeRawBufferPointer(content)) : hashUnescaping(content, byteCount)
        return (hash, fieldEnd)
    }

    /// The offset of the quote closing a field whose text starts at `contentStart`, and how many
    /// `""` pairs the text holds. Each step moves past a quote, so the search ends within the line.
    private static func closingQuote(
        of row: RowText, from contentStart: Int, fieldStart: Int, column: Int
    ) throws(CSVError) -> (offset: Int, escapeCount: Int) {
        var position = contentStart
        var escapeCount = 0
        while true {
            // libc's memchr scans a word or a vector at a time.
            guard let found = memchr(row.bytes + position, Int32(UInt8(ascii: "\"")), row.end &- position) else {
                throw row.error(
                    column: column, from: fieldStart,
                    "a quoted field has no closing quote (a value cannot span lines)")
            }
            let quote = UnsafeRawPointer(found) - UnsafeRawPointer(row.bytes)
            guard quote &+ 1 < row.end, row.bytes[quote &+ 1] == UInt8(ascii: "\"") else { return (quote, escapeCount) }
            escapeCount &+= 1
            position = quote &+ 2
        }
    }

    /// The hash of quoted text whose `""` pairs stand for one quote each; `byteCount` is the
    /// unescaped length. The copy is on the stack for any length up to the default limit.
    private static func hashUnescaping(_ content: UnsafeBufferPointer<UInt8>, _ byteCount: Int) -> UInt32 {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount) { unescaped in
            var source = 0
            var target = 0
            while source < content.count {
                let byte = content[source]
                unescaped[target] = byte
                target &+= 1
                // The quote after a quote is the pair's second half.
                source &+= byte == UInt8(ascii: "\"") ? 2 : 1
            }
            assert(target == byteCount)
            return CategoryHash.hash(UnsafeRawBufferPointer(unescaped))
        }
    }

    private static func tooLongMessage(_ byteCount: Int, _ byteCountMax: Int) -> String {
        "a categorical value of \(byteCount) bytes is longer than the limit of \(byteCountMax) bytes"
    }
}
