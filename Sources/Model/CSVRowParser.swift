/// A row of a headerless numeric CSV that could not be read, located for a human.
public struct CSVError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based line number in the input.
    public var line: Int
    /// 1-based column, or nil when the whole row is wrong (its column count).
    public var column: Int?
    public var message: String

    package init(line: Int, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { return "line \(line), column \(column): \(message)" }
        return "line \(line): \(message)"
    }
}

/// Parses one CSV line of numbers (no quoting beyond an optional pair of double quotes per field).
///
/// Missing values follow pandas' defaults, because that is how CatBoost's Python users produce
/// NaN: an empty field, `nan`, `NaN`, `NA`, `N/A`, `null`, `NULL`, `None`. Values are parsed as
/// `Double` and then rounded to `Float`, exactly as numpy float64 → float32 does for CatBoost.
package enum CSVRowParser {
    /// Calls `body` with each line of an in-memory text (without its `\n`) and its 1-based number.
    @inline(__always)
    package static func forEachLine<E: Error>(
        in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws(E) -> Void
    ) throws(E) {
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            try body(UnsafeBufferPointer(rebasing: bytes[start..<end]), lineNumber)
            start = end + 1
        }
    }

    /// Appends the line's fields to `values` and returns how many there were.
    @inline(__always)
    package static func parse(
        line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into values: inout [Float]
    ) throws(CSVError) -> Int {
        var end = line.count
        if end > 0, line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        var fieldStart = 0
        var column = 1
        while true {
            var fieldEnd = fieldStart
            while fieldEnd < end, line[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
            values.append(try parseField(UnsafeBufferPointer(rebasing: line[fieldStart..<fieldEnd]), line: lineNumber, column: column))
            if fieldEnd >= end { return column }
            fieldStart = fieldEnd + 1
            column += 1
        }
    }

    @inline(__always)
    package static func parseField(_ raw: UnsafeBufferPointer<UInt8>, line: Int, column: Int) throws(CSVError) -> Float {
        if let value = DecimalParsing.parseNumber(raw) { return Float(value) }
        return try parseUnusualField(raw, line: line, column: column)
    }

    private static let missingSpellings: [[UInt8]] = ["", "nan", "NaN", "NAN", "NA", "N/A", "null", "NULL", "None", "-nan"].map { Array($0.utf8) }

    private static func parseUnusualField(_ raw: UnsafeBufferPointer<UInt8>, line: Int, column: Int) throws(CSVError) -> Float {
        var start = 0
        var end = raw.count
        while start < end, raw[start] == 0x20 || raw[start] == 0x09 { start += 1 }
        while end > start, raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
        if end - start >= 2, raw[start] == UInt8(ascii: "\""), raw[end - 1] == UInt8(ascii: "\"") {
            start += 1
            end -= 1
        }
        let field = UnsafeBufferPointer(rebasing: raw[start..<end])
        if let value = DecimalParsing.parseNumber(field) { return Float(value) }
        if missingSpellings.contains(where: { $0.elementsEqual(field) }) { return .nan }
        if let value = DecimalParsing.parseSpecial(field) { return Float(value) }
        let shown = String(decoding: raw.prefix(40), as: UTF8.self)
        throw CSVError(line: line, column: column, message: "'\(shown)\(raw.count > 40 ? "…" : "")' is not a number")
    }
}
