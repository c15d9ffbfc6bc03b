#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes, the only file system code in Model.
public enum FileIO {
    /// Reads a whole file with one `fstat` and (normally) one `read`.
    public static func readAll(path: String) throws(ModelError) -> [UInt8] {
        let (fd, byteCount) = try openRegularFile(path: path)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: byteCount)
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

    /// Opens a file for reading only if it is a regular file, and returns it with its size.
    ///
    /// The open itself is non-blocking: a plain `open` of a FIFO waits for a writer, forever if
    /// none comes, so the kind is checked on the open descriptor and blocking restored after.
    package static func openRegularFile(path: String) throws(ModelError) -> (fd: Int32, byteCount: Int) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let openErrno = errno
            // A socket cannot be opened at all (ENXIO); say what it is rather than "no such device".
            var status = stat()
            if stat(path, &status) == 0, let kind = nonRegularKind(mode: UInt32(status.st_mode)) {
                throw ModelError("\(path) is \(kind), not a regular file")
            }
            throw ModelError("cannot open \(path): \(String(cString: strerror(openErrno)))")
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let description = errnoDescription()
            close(fd)
            throw ModelError("cannot stat \(path): \(description)")
        }
        if let kind = nonRegularKind(mode: UInt32(status.st_mode)) {
            close(fd)
            throw ModelError("\(path) is \(kind), not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int(status.st_size))
    }

    /// What a file of this `st_mode` is, in words ("a FIFO"), or nil for a regular file.
    package static func nonRegularKind(mode: UInt32) -> String? {
        switch mode_t(truncatingIfNeeded: mode) & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
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
