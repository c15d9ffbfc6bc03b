#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import Model

/// A training file read through zlib's `gzread`, which decompresses gzip and passes plain
/// bytes through unchanged.
///
/// `gzread` reports a stream cut short as a short read followed by 0 bytes, exactly like the end
/// of the file; only `gzerror` tells them apart (`Z_BUF_ERROR`, "unexpected end of file"). A
/// corrupt stream returns -1 with zlib's reason in `gzerror`, while errno is whatever an earlier
/// call left there. So every read that returns nothing is checked against `gzerror`.
final class GzipFile {
    let path: String
    private let file: gzFile
    /// zlib prefixes its messages with the name it was opened under, `<fd:N>` for `gzdopen`.
    private let messagePrefix: String

    init(path: String) throws(TrainingError) {
        let fd: Int32
        do throws(ModelError) {
            fd = try FileIO.openRegularFile(path: path).fd
        } catch {
            throw TrainingError(error.description)
        }
        guard let file = gzdopen(fd, "rb") else {
            close(fd)
            throw TrainingError("cannot open \(path): zlib could not allocate its state")
        }
        gzbuffer(file, 1 << 20)
        self.path = path
        self.file = file
        self.messagePrefix = "<fd:\(fd)>: "
    }

    deinit {
        gzclose(file)
    }

    /// Fills up to `count` bytes; returns how many, 0 only at the true end, -1 on any failure
    /// (then `failureDescription` says what).
    func read(into pointer: UnsafeMutableRawPointer, count: Int) -> Int {
        let result = Int(gzread(file, pointer, UInt32(count)))
        if result <= 0, failure() != nil { return -1 }
        return result
    }

    /// zlib's reason for the last failure, in words.
    func failureDescription() -> String {
        guard let (code, message) = failure() else { return "unknown zlib error" }
        switch code {
        case Z_BUF_ERROR: return "the gzip stream is truncated (zlib: \(message))"
        case Z_DATA_ERROR: return "the gzip data is corrupt (zlib: \(message))"
        default: return "zlib: \(message)"
        }
    }

    private func failure() -> (code: Int32, message: String)? {
        var code: Int32 = Z_OK
        let text = gzerror(file, &code).map { String(cString: $0) } ?? ""
        guard code != Z_OK else { return nil }
        return (code, text.hasPrefix(messagePrefix) ? String(text.dropFirst(messagePrefix.count)) : text)
    }
}
