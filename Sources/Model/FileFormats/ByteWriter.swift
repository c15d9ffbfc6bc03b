/// Little-endian appends for our model format.
package struct ByteWriter {
    package var bytes: [UInt8] = []

    package init() {}

    package mutating func u8(_ value: UInt8) { bytes.append(value) }
    package mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func f32(_ value: Float) { u32(value.bitPattern) }
    package mutating func f64(_ value: Double) { u64(value.bitPattern) }
    package mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// Pads to a multiple of 8 so every array section starts aligned (the file can be mapped and
    /// its `Double` arrays read in place).
    package mutating func align8() {
        while bytes.count % 8 != 0 { bytes.append(0) }
    }
}
