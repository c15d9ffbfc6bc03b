/// Just enough of the FlatBuffers wire format to read CatBoost's `.cbm` model core: tables,
/// scalars, strings and vectors. Every offset is bounds-checked, so a corrupt or hostile file
/// yields a `ModelError`, never an out-of-bounds read.
struct FlatBufferReader {
    let bytes: [UInt8]
    let start: Int
    let end: Int

    /// A table's absolute position in `bytes`.
    struct Table { let position: Int }

    init(bytes: [UInt8], start: Int, end: Int) {
        precondition(start >= 0 && start <= end && end <= bytes.count)
        self.bytes = bytes
        self.start = start
        self.end = end
    }

    private func check(_ position: Int, _ byteCount: Int) throws(ModelError) {
        guard position >= start, byteCount >= 0, position <= end - byteCount else {
            throw .invalid("CatBoost .cbm: offset \(position - start) (+\(byteCount)) is outside the \(end - start)-byte model core")
        }
    }

    func u8(_ position: Int) throws(ModelError) -> UInt8 {
        try check(position, 1)
        return bytes[position]
    }

    func u16(_ position: Int) throws(ModelError) -> UInt16 {
        try check(position, 2)
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    func u32(_ position: Int) throws(ModelError) -> UInt32 {
        try check(position, 4)
        return readLittleEndianUInt32(bytes, position)
    }

    func i32(_ position: Int) throws(ModelError) -> Int32 { Int32(bitPattern: try u32(position)) }

    func u64(_ position: Int) throws(ModelError) -> UInt64 {
        try check(position, 8)
        return UInt64(readLittleEndianUInt32(bytes, position)) | UInt64(readLittleEndianUInt32(bytes, position + 4)) << 32
    }

    func root() throws(ModelError) -> Table {
        Table(position: start + Int(try u32(start)))
    }

    /// Position of field `id`, or nil when the field is absent (defaulted).
    func fieldPosition(_ table: Table, _ id: Int) throws(ModelError) -> Int? {
        let vtable = table.position - Int(try i32(table.position))
        let vtableByteCount = Int(try u16(vtable))
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableByteCount else { return nil }
        let offset = Int(try u16(vtable + slot))
        return offset == 0 ? nil : table.position + offset
    }

    func int32(_ table: Table, _ id: Int, default value: Int32) throws(ModelError) -> Int32 {
        guard let position = try fieldPosition(table, id) else { return value }
        return try i32(position)
    }

    func uint8(_ table: Table, _ id: Int, default value: UInt8) throws(ModelError) -> UInt8 {
        guard let position = try fieldPosition(table, id) else { return value }
        return try u8(position)
    }

    func float(_ table: Table, _ id: Int, default value: Float) throws(ModelError) -> Float {
        guard let position = try fieldPosition(table, id) else { return value }
        return Float(bitPattern: try u32(position))
    }

    func double(_ table: Table, _ id: Int, default value: Double) throws(ModelError) -> Double {
        guard let position = try fieldPosition(table, id) else { return value }
        return Double(bitPattern: try u64(position))
    }

    /// The target of a uoffset field (table, vector or string).
    func reference(_ table: Table, _ id: Int) throws(ModelError) -> Int? {
        guard let position = try fieldPosition(table, id) else { return nil }
        return position + Int(try u32(position))
    }

    func table(_ table: Table, _ id: Int) throws(ModelError) -> Table? {
        try reference(table, id).map { Table(position: $0) }
    }

    /// (element start, count) of a vector whose elements are `elementByteCount` wide.
    func vector(_ table: Table, _ id: Int, elementByteCount: Int) throws(ModelError) -> (start: Int, count: Int) {
        guard let position = try reference(table, id) else { return (0, 0) }
        let count = Int(try u32(position))
        guard count <= (end - start) / max(elementByteCount, 1) else {
            throw .invalid("CatBoost .cbm: vector of \(count) elements does not fit the model core")
        }
        try check(position + 4, count * elementByteCount)
        return (position + 4, count)
    }

    func string(_ table: Table, _ id: Int) throws(ModelError) -> String? {
        guard try fieldPosition(table, id) != nil else { return nil }
        let (first, count) = try vector(table, id, elementByteCount: 1)
        return String(decoding: bytes[first..<(first + count)], as: UTF8.self)
    }

    func int32s(_ table: Table, _ id: Int) throws(ModelError) -> [Int32] {
        let (first, count) = try vector(table, id, elementByteCount: 4)
        return (0..<count).map { Int32(bitPattern: readLittleEndianUInt32(bytes, first + 4 * $0)) }
    }

    func floats(_ table: Table, _ id: Int) throws(ModelError) -> [Float] {
        let (first, count) = try vector(table, id, elementByteCount: 4)
        return (0..<count).map { Float(bitPattern: readLittleEndianUInt32(bytes, first + 4 * $0)) }
    }

    func doubles(_ table: Table, _ id: Int) throws(ModelError) -> [Double] {
        let (first, count) = try vector(table, id, elementByteCount: 8)
        return (0..<count).map {
            Double(bitPattern: UInt64(readLittleEndianUInt32(bytes, first + 8 * $0))
                | UInt64(readLittleEndianUInt32(bytes, first + 8 * $0 + 4)) << 32)
        }
    }

    func tables(_ table: Table, _ id: Int) throws(ModelError) -> [Table] {
        let (first, count) = try vector(table, id, elementByteCount: 4)
        var result: [Table] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let slot = first + 4 * index
            result.append(Table(position: slot + Int(try u32(slot))))
        }
        return result
    }
}

@inline(__always)
func readLittleEndianUInt32(_ bytes: [UInt8], _ position: Int) -> UInt32 {
    UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16
        | UInt32(bytes[position + 3]) << 24
}
