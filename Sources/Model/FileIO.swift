#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes, the only file system code in Model.
public enum FileIO {
    /// Reads a whole file with one `fstat` and (normally) one `read`.
    public static func readAll(path: String) throws(ModelError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ModelError("cannot open \(path): \(errnoDescription())") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ModelError("cannot stat \(path): \(errnoDescription())") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ModelError("\(path) is not a regular file") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        var failure: Int32 = 0
        bytes.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let result = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if result == 0 { break }
                filled += result
            }
        }
        guard failure == 0 else { throw ModelError("cannot read \(path): \(String(cString: strerror(failure)))") }
        guard filled == bytes.count else { throw ModelError("\(path) changed size while being read") }
        return bytes
    }

    /// Writes `bytes` so that `path` holds either the old content or all of the new, never a mix:
    /// a temporary file in the same directory, `fsync`, `rename`, then `fsync` of the directory
    /// so the rename itself survives a crash.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let temporaryPath = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelError("cannot create \(temporaryPath): \(errnoDescription())") }
        var failure: String? = nil
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(temporaryPath): \(errnoDescription())"
                    return
                }
                written += result
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot fsync \(temporaryPath): \(errnoDescription())" }
        if close(fd) != 0, failure == nil { failure = "cannot close \(temporaryPath): \(errnoDescription())" }
        if failure == nil, rename(temporaryPath, path) != 0 {
            failure = "cannot rename \(temporaryPath) to \(path): \(errnoDescription())"
        }
        if let failure {
            unlink(temporaryPath)
            throw ModelError(failure)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
