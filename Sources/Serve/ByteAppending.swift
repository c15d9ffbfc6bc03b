extension Array where Element == UInt8 {
    /// Appends a literal's bytes with one copy. `append(contentsOf: "…".utf8)` takes a generic
    /// path through the String's storage (copyUTF8, bridge-object retains): in a profile of
    /// 1-row requests it cost a third of encoding the answer.
    @inline(__always)
    mutating func appendLiteral(_ literal: StaticString) {
        literal.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends a String's UTF-8 bytes with one copy (native strings are contiguous UTF-8).
    @inline(__always)
    mutating func appendUTF8(_ string: String) {
        var string = string
        string.withUTF8 { append(contentsOf: $0) }
    }
}

/// A text stream into a byte array. Floating-point values write themselves through
/// `_writeASCII`, the standard library's stream hook for ASCII text, so printing one makes no
/// String: `description` allocates one for every value of more than 15 characters.
struct ByteSink: TextOutputStream {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) { bytes.appendUTF8(string) }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}

extension Array where Element == UInt8 {
    /// Appends what `value.write(to:)` prints (for Double: the shortest text that reads back
    /// as the value, like `description`).
    @inline(__always)
    mutating func appendText(of value: some TextOutputStreamable) {
        var sink = ByteSink()
        swap(&sink.bytes, &self)  // the sink borrows this array's storage: no copy
        value.write(to: &sink)
        swap(&sink.bytes, &self)
    }
}

/// Writes bytes through a pointer into space the caller sized: for short texts assembled from
/// many pieces, where each `Array.append` would check capacity and uniqueness again. Every write
/// checks the space left, so a wrong size stops the process instead of writing past the end.
struct ByteWriter {
    private let space: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ space: UnsafeMutableBufferPointer<UInt8>) { self.space = space }

    @inline(__always)
    private mutating func reserve(_ length: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(length <= space.count - count, "ByteWriter: more bytes than the space sized for them")
        defer { count += length }
        return space.baseAddress! + count
    }

    @inline(__always)
    mutating func write(_ literal: StaticString) {
        reserve(literal.utf8CodeUnitCount).update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    @inline(__always)
    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }  // empty
            reserve(utf8.count).update(from: base, count: utf8.count)
        }
    }

    mutating func writeDecimal(_ value: Int) {
        precondition(value >= 0)
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = reserve(digits)
        rest = value
        for offset in stride(from: digits - 1, through: 0, by: -1) {
            start[offset] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
        }
    }
}
