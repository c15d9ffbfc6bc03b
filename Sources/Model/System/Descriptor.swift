#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// read(2) and write(2) on blocking descriptors, retried across EINTR: the one place that loop
/// is written.
package enum Descriptor {
    /// One read, retried when a signal interrupts it: the count (0 at the end), or -1 with errno set.
    package static func read(_ fd: Int32, into pointer: UnsafeMutableRawPointer, count: Int) -> Int {
        var result = 0
        repeat { result = Glibc.read(fd, pointer, count) } while result < 0 && errno == EINTR
        return result
    }

    /// Reads until `buffer` is full or the file ends: how many bytes came, or the errno that stopped it.
    package static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        var filled = 0
        while filled < buffer.count {
            let result = read(fd, into: buffer.baseAddress! + filled, count: buffer.count - filled)
            if result < 0 { return .failure(Errno(code: errno)) }
            if result == 0 { break }
            filled += result
        }
        return .success(filled)
    }

    /// Writes all of `buffer`; nil, or the errno that stopped it.
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Errno? {
        var written = 0
        while written < buffer.count {
            let result = write(fd, buffer.baseAddress! + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return Errno(code: errno)
            }
            written += result
        }
        return nil
    }

    /// An errno value, described as strerror(3) describes it.
    package struct Errno: Error, CustomStringConvertible {
        package var code: Int32
        package var description: String { String(cString: strerror(code)) }
    }
}
