#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to a file descriptor.
package struct OutputBuffer {
    static let flushByteCount = 1 << 20
    let fd: Int32
    var bytes: [UInt8] = []

    package init(fd: Int32) {
        self.fd = fd
        bytes.reserveCapacity(Self.flushByteCount + 4096)
    }

    package mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    package mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func flushIfLarge() throws(ModelError) {
        if bytes.count >= Self.flushByteCount { try flush() }
    }

    package mutating func flush() throws(ModelError) {
        let failure = bytes.withUnsafeBytes { Descriptor.writeAll(fd, $0) }
        bytes.removeAll(keepingCapacity: true)
        if let failure { throw ModelError("cannot write output: \(failure)") }
    }
}
