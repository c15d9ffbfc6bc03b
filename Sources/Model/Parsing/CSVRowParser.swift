#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        guard let base = bytes.baseAddress else { return }
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            // libc's memchr scans a word or a vector at a time.
            let end = offsetOfNewline(in: base, from: start, count: bytes.count)
            lineNumber += 1
            try body(UnsafeBufferPointer(start: base + start, count: end - start), lineNumber)
            start = end + 1
        }
    }

    /// The offset of the first `\n` at or after `start`, or `count` when there is none.
    @inline(__always)
    package static func offsetOfNewline(in base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        guard let found = memchr(base + start, 0x0A, count - start) else { return count }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// The number of lines in an in-memory text (a last line without `\n` counts).
    package static func lineCount(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        forEachLine(in: bytes) { _, lineNumber in count = lineNumber }
        return count
    }

    /// Appends the line's fields to `values` and returns how many there were.
    @inline(__always)
    package static func parse(
        line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into values: inout [Float]
    ) throws(CSVError) -> Int {
        // A line of n bytes holds at most n + 1 fields (all empty but separated by commas).
        let fieldCountMax = line.count + 1
        if values.capacity - values.count < fieldCountMax {
            values.reserveCapacity(max(values.count + fieldCountMax, values.capacity * 2))
        }
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: fieldCountMax) { (fields) throws(CSVError) in
            let count = try parse(line: line, lineNumber: lineNumber, into: fields.baseAddress!, capacity: fieldCountMax)
            values.append(contentsOf: UnsafeBufferPointer(rebasing: fields[..<count]))
            return count
        }
    }

    /// Parses the line's fields into `output[0..<capacity]` and returns how many fields the line
    /// has; fields past `capacity` are still checked and counted, but not stored, so a caller
    /// expecting a fixed width can report a wrong column count after one pass.
    ///
    /// Plain decimals (`-12.5`, up to 19 digits, no exponent) are converted right where they are
    /// scanned; anything else (exponents, quotes, blanks, missing-value spellings, long mantissas)
    /// goes through `parseField`. Both give the correctly rounded `Double`, then `Float`.
    ///
    /// `readableCount` is how many bytes may be read from the line's start (at least its length;
    /// more when the caller's buffer goes on): fields with 16 readable bytes ahead are scanned
    /// eight bytes at a time (`ShortDecimalScanner`), and on x86-64 a line followed by enough
    /// text has its field ends found by comma masks first (`parseByCommaMask`).
    @inline(__always)
    package static func parse(
        line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into output: UnsafeMutablePointer<Float>, capacity: Int,
        readableCount: Int? = nil
    ) throws(CSVError) -> Int {
        guard let bytes = line.baseAddress else {
            if capacity > 0 { output[0] = .nan }  // an empty line is one empty field
            return 1
        }
        var end = line.count
        if end > 0, bytes[end &- 1] == UInt8(ascii: "\r") { end &-= 1 }
        let readable = max(readableCount ?? line.count, line.count)
        #if arch(x86_64)
        // Whole 64-byte windows over the line, and a vector's 16 bytes from its last field.
        let maskedBytes = max((end &+ 63) & ~63, end &+ plainDecimalReadableBytes)
        if readable >= maskedBytes {
            return try parseByCommaMask(bytes, end: end, lineNumber: lineNumber, into: output, capacity: capacity)
        }
        // A line with nothing readable after it (a one-row body, a body's last line, a training
        // file's line) is copied next to zeros: a copy costs less than the per-byte path.
        if maskedBytes <= Self.copiedLineBytesMax {
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maskedBytes) { (padded) throws(CSVError) in
                let base = padded.baseAddress!
                base.initialize(from: bytes, count: end)
                (base + end).initialize(repeating: 0, count: maskedBytes &- end)
                defer { base.deinitialize(count: maskedBytes) }
                return try parseByCommaMask(base, end: end, lineNumber: lineNumber, into: output, capacity: capacity)
            }
        }
        #endif
        let scanEnd = readable &- ShortDecimalScanner.readableBytesMin
        let powersOfTen = DecimalParsing.exactPowersOfTen
        var position = 0
        var column = 0
        while true {
            let fieldStart = position
            let signBit = minusSignBit(bytes, at: position, end: end)
            position &+= Int(truncatingIfNeeded: signBit >> 63)
            if position <= scanEnd, let number = ShortDecimalScanner.scan(bytes + position), position &+ number.length <= end,
                position &+ number.length == end || bytes[position &+ number.length] == UInt8(ascii: ",")
            {
                // At most 14 digits, so the mantissa is exact.
                if column < capacity {
                    output[column] = float(number.mantissa, fractionDigitCount: number.fractionDigitCount, signBit: signBit, powersOfTen)
                }
                column &+= 1
                position &+= number.length
                if position >= end { return column }
                position &+= 1  // the comma
                continue
            }
            // Appends the run of digits at `position` to the mantissa; returns how many there were.
            @inline(__always) func scanDigits(into mantissa: inout UInt64) -> Int {
                let start = position
                while position < end {
                    let digit = bytes[position] &- 48
                    if digit >= 10 { break }
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    position &+= 1
                }
                return position &- start
            }
            var mantissa: UInt64 = 0
            let digitCount = scanDigits(into: &mantissa)
            var fractionDigitCount = 0
            if position < end, bytes[position] == UInt8(ascii: ".") {
                position &+= 1
                fractionDigitCount = scanDigits(into: &mantissa)
            }
            let totalDigitCount = digitCount &+ fractionDigitCount
            let value: Float
            if position == end || bytes[position] == UInt8(ascii: ","),
                totalDigitCount > 0, totalDigitCount <= 19, mantissa <= 1 << 53, fractionDigitCount <= 22
            {
                value = float(mantissa, fractionDigitCount: fractionDigitCount, signBit: signBit, powersOfTen)
            } else {
                position = fieldStart
                while position < end, bytes[position] != UInt8(ascii: ",") { position &+= 1 }
                value = try parseField(
                    UnsafeBufferPointer(start: bytes + fieldStart, count: position &- fieldStart),
                    line: lineNumber, column: column &+ 1)
            }
            if column < capacity { output[column] = value }
            column &+= 1
            if position >= end { return column }
            position &+= 1  // the comma
        }
    }

    /// A `Double`'s sign bit when a field starting at `position` (before `end`) opens with `-`,
    /// else 0. Without a branch: the sign is a coin toss in typical features, and a
    /// mispredicted branch on it (here and when applying it) cost more than the digits.
    @inline(__always)
    static func minusSignBit(_ bytes: UnsafePointer<UInt8>, at position: Int, end: Int) -> UInt64 {
        position < end && bytes[position] == UInt8(ascii: "-") ? 1 << 63 : 0
    }

    /// Clinger's fast path: an exact integer (≤ 2^53) divided by an exact power of ten
    /// (`fractionDigitCount` ≤ 22) is the correctly rounded `Double`, then rounded to `Float` as
    /// numpy's float64 → float32 does; `signBit` is the `Double`'s sign bit.
    @inline(__always)
    static func float(
        _ mantissa: UInt64, fractionDigitCount: Int, signBit: UInt64, _ powersOfTen: UnsafePointer<Double>
    ) -> Float {
        // Int64 → Double is one instruction; the unsigned conversion is a dozen.
        let magnitude = Double(Int64(bitPattern: mantissa)) / powersOfTen[fractionDigitCount]
        return Float(Double(bitPattern: magnitude.bitPattern | signBit))
    }

    /// The longest line `parse` copies to read it by comma masks, x86-64 only (on the stack,
    /// where `withUnsafeTemporaryAllocation` finds room); longer ones without text after them
    /// are read field by field.
    static let copiedLineBytesMax = 16 * 1024

    #if arch(x86_64)
    /// `parse` for a line whose 64-byte windows and a further 16 bytes may be read: field ends
    /// come from comma masks, so each field's digits are read independently of the last's.
    @inline(__always)
    private static func parseByCommaMask(
        _ bytes: UnsafePointer<UInt8>, end: Int, lineNumber: Int, into output: UnsafeMutablePointer<Float>, capacity: Int
    ) throws(CSVError) -> Int {
        let powersOfTen = DecimalParsing.exactPowersOfTen
        var column = 0
        @inline(__always) func field(from start: Int, to fieldEnd: Int) throws(CSVError) {
            let signBit = minusSignBit(bytes, at: start, end: fieldEnd)
            let digitsStart = start &+ Int(truncatingIfNeeded: signBit >> 63)
            let value: Float
            if let number = plainDecimal(bytes + digitsStart, length: fieldEnd &- digitsStart) {
                value = float(number.mantissa, fractionDigitCount: number.fractionDigitCount, signBit: signBit, powersOfTen)
            } else {
                value = try parseField(
                    UnsafeBufferPointer(start: bytes + start, count: fieldEnd &- start), line: lineNumber, column: column &+ 1)
            }
            if column < capacity { output[column] = value }
            column &+= 1
        }
        var fieldStart = 0
        var windowStart = 0
        repeat {
            var commas = commaMask(bytes + windowStart)
            let windowCount = end &- windowStart
            if windowCount < 64 { commas &= (1 &<< UInt64(windowCount)) &- 1 }  // the next line's commas
            while commas != 0 {
                let fieldEnd = windowStart &+ commas.trailingZeroBitCount
                commas &= commas &- 1
                try field(from: fieldStart, to: fieldEnd)
                fieldStart = fieldEnd &+ 1
            }
            windowStart &+= 64
        } while windowStart < end
        try field(from: fieldStart, to: end)
        return column
    }
    #endif

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
