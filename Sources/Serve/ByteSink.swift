/// A text stream into a byte array. Floating-point values write themselves through
/// `_writeASCII`, the standard library's stream hook for ASCII text, so printing one makes no
/// String: `description` allocates one for every value of more than 15 characters.
struct ByteSink: TextOutputStream {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) { bytes.appendUTF8(string) }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}
