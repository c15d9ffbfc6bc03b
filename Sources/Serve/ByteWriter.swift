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
