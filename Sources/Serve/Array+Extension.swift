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
