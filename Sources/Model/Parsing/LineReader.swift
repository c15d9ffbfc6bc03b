#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor in large chunks and hands out complete lines, so inputs of any size
/// stream through a fixed amount of memory (the longest line, at least one chunk).
package struct LineReader {
    package static let chunkByteCount = 1 << 20
    /// Fills up to `count` bytes at the pointer; returns how many (0 at the end, < 0 on failure).
    let readChunk: (UnsafeMutableRawPointer, Int) -> Int
    /// Why `readChunk` failed, asked right after it returned < 0.
    let failureDescription: () -> String
    var buffer: [UInt8] = []
    var lineStart = 0
    var endOfInput = false
    package private(set) var lineNumber = 0

    package init(fd: Int32) {
        readChunk = { pointer, count in Descriptor.read(fd, into: pointer, count: count) }
        failureDescription = { String(cString: strerror(errno)) }
    }

    /// Reads through any byte source, e.g. zlib's `gzread` for compressed training files, whose
    /// failures are described by the source itself (zlib's `gzerror`), not by a stale errno.
    package init(readChunk: @escaping (UnsafeMutableRawPointer, Int) -> Int, failureDescription: @escaping () -> String) {
        self.readChunk = readChunk
        self.failureDescription = failureDescription
    }

    /// Calls `body` with each line (without its `\n`), in order, until the input ends or `body` throws.
    package mutating func forEachLine<E: Error>(_ body: (UnsafeBufferPointer<UInt8>, Int) throws(E) -> Void) throws(LineReaderError<E>) {
        var scanFrom = 0
        while true {
            // Emit every complete line in the buffer.
            let count = buffer.count
            do {
                try buffer.withUnsafeBufferPointer { (bytes) throws(E) -> Void in
                    var position = scanFrom
                    while position < count {
                        if bytes[position] == UInt8(ascii: "\n") {
                            lineNumber += 1
                            try body(UnsafeBufferPointer(rebasing: bytes[lineStart..<position]), lineNumber)
                            lineStart = position + 1
                        }
                        position += 1
                    }
                }
            } catch {
                throw .body(error)
            }
            if endOfInput {
                if lineStart < buffer.count {
                    lineNumber += 1
                    let start = lineStart
                    lineStart = buffer.count
                    do {
                        try buffer.withUnsafeBufferPointer { (bytes) throws(E) -> Void in
                            try body(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]), lineNumber)
                        }
                    } catch {
                        throw .body(error)
                    }
                }
                return
            }
            // Keep the partial line, read more after it.
            buffer.removeSubrange(0..<lineStart)
            lineStart = 0
            scanFrom = buffer.count
            let oldCount = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: Self.chunkByteCount))
            let readCount = buffer.withUnsafeMutableBytes { readChunk($0.baseAddress! + oldCount, Self.chunkByteCount) }
            if readCount < 0 {
                throw .read(failureDescription())
            }
            buffer.removeSubrange((oldCount + readCount)...)
            if readCount == 0 { endOfInput = true }
        }
    }
}
