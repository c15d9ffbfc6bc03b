/// Bounds-checked little-endian reads; running off the end is a `ModelError` naming what was read.
package struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    package init(bytes: [UInt8], start: Int, end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    private mutating func take(_ count: Int, _ what: String) throws(ModelError) -> Int {
        guard count >= 0, position <= end - count else {
            throw .invalid("model file truncated while reading \(what)")
        }
        defer { position += count }
        return position
    }

    package mutating func u8(_ what: String) throws(ModelError) -> UInt8 { bytes[try take(1, what)] }

    package mutating func u16(_ what: String) throws(ModelError) -> UInt16 {
        let at = try take(2, what)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    package mutating func u32(_ what: String) throws(ModelError) -> UInt32 {
        readLittleEndianUInt32(bytes, try take(4, what))
    }

    package mutating func u64(_ what: String) throws(ModelError) -> UInt64 {
        let at = try take(8, what)
        return UInt64(readLittleEndianUInt32(bytes, at)) | UInt64(readLittleEndianUInt32(bytes, at + 4)) << 32
    }

    package mutating func f32(_ what: String) throws(ModelError) -> Float { Float(bitPattern: try u32(what)) }
    package mutating func f64(_ what: String) throws(ModelError) -> Double { Double(bitPattern: try u64(what)) }

    package mutating func count(_ what: String, max: Int) throws(ModelError) -> Int {
        let value = Int(try u32(what))
        guard value <= max else { throw .invalid("\(what) \(value) exceeds \(max)") }
        return value
    }

    package mutating func string(byteCount: Int, _ what: String) throws(ModelError) -> String {
        let at = try take(byteCount, what)
        return String(decoding: bytes[at..<(at + byteCount)], as: UTF8.self)
    }

    package mutating func align8(_ what: String) throws(ModelError) {
        let padding = (8 - position % 8) % 8
        _ = try take(padding, what)
    }
}
