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
        let outcome = bytes.withUnsafeMutableBytes { Descriptor.readFully(fd, into: $0) }
        guard case .success(let filled) = outcome else {
            if case .failure(let error) = outcome { throw ModelError("cannot read \(path): \(error)") }
            preconditionFailure()
        }
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
    /// so the rename itself survives a crash. A symbolic link is written through (its target is
    /// replaced, the link stays); a FIFO, device, socket or folder is refused, never replaced.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelError) {
        let target = try outputTarget(path: path)
        let temporaryPath = "\(target).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelError("cannot create \(temporaryPath): \(errnoDescription())") }
        var failure: String? = nil
        if let error = bytes.withUnsafeBytes({ Descriptor.writeAll(fd, $0) }) {
            failure = "cannot write \(temporaryPath): \(error)"
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot fsync \(temporaryPath): \(errnoDescription())" }
        if close(fd) != 0, failure == nil { failure = "cannot close \(temporaryPath): \(errnoDescription())" }
        if failure == nil, rename(temporaryPath, target) != 0 {
            failure = "cannot rename \(temporaryPath) to \(target): \(errnoDescription())"
        }
        if let failure {
            unlink(temporaryPath)
            throw ModelError(failure)
        }
        let directoryFD = open(directory(of: target), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Linux's limit on symbolic links followed in one path lookup (MAXSYMLINKS).
    static let symbolicLinkHopMax = 40

    /// The file a write to `path` must replace: `path` itself, or the end of its chain of
    /// symbolic links (each relative link read against its own folder), which may not exist yet.
    /// Renaming over the link itself would turn it into a plain file and leave its target stale;
    /// renaming over a FIFO or a device node would destroy it, so those are refused.
    package static func outputTarget(path: String) throws(ModelError) -> String {
        var current = path
        for _ in 0..<symbolicLinkHopMax {
            var status = stat()
            guard lstat(current, &status) == 0 else {
                guard errno == ENOENT else { throw ModelError("cannot write \(current): \(errnoDescription())") }
                return current
            }
            if status.st_mode & S_IFMT == S_IFLNK {
                let link = try readLink(current)
                current = link.hasPrefix("/") ? link : directory(of: current) + "/" + link
                continue
            }
            if let kind = nonRegularKind(mode: UInt32(status.st_mode)) {
                let which = current == path ? path : "\(path) (a link to \(current))"
                throw ModelError("\(which) is \(kind), not a regular file; refusing to replace it")
            }
            return current
        }
        throw ModelError("cannot write \(path): more than \(symbolicLinkHopMax) levels of symbolic links")
    }

    /// Whether two paths name one regular file (same device and inode, so a hard link or a
    /// symbolic link to it counts); false when either is missing or not a regular file.
    package static func isSameRegularFile(_ path: String, _ other: String) -> Bool {
        var status = stat()
        guard stat(other, &status) == 0 else { return false }
        return isSameRegularFile(path, as: status)
    }

    /// Whether `path` names the regular file open as `fd`.
    package static func isSameRegularFile(_ path: String, fd: Int32) -> Bool {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return false }
        return isSameRegularFile(path, as: status)
    }

    private static func isSameRegularFile(_ path: String, as other: stat) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        guard status.st_mode & S_IFMT == S_IFREG, other.st_mode & S_IFMT == S_IFREG else { return false }
        return status.st_dev == other.st_dev && status.st_ino == other.st_ino
    }

    private static func readLink(_ path: String) throws(ModelError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw ModelError("cannot read the symbolic link \(path): \(errnoDescription())") }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The folder part of a path ("." for a bare name, "/" for a file at the root).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
