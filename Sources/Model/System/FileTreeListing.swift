#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files under a folder (a SageMaker channel, the model folder), found recursively with
/// symbolic links followed.
///
/// Every folder and file is visited once, by device and inode: a link back to an ancestor
/// would otherwise be walked again until the path grows past the kernel's 40-link limit,
/// reading the same files once per level, and two links to one file would count its rows
/// twice. Only regular files are data; anything else (FIFOs, sockets, devices, links that
/// dangle or loop, folders that cannot be opened) is listed with what it is, so the caller can
/// name it instead of blocking on a FIFO or silently skipping it.
package struct FileTreeListing {
    /// Regular files, each once, sorted by path.
    package private(set) var files: [String] = []
    /// Entries that are not readable regular files, as "path (what it is)".
    package private(set) var nonRegular: [String] = []
    private var visited: Set<FileIdentity> = []
    /// How many folders down the walk goes below the first.
    private let depthMax: Int

    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Walks `directory`, which the caller has checked is a folder, and at most `depthMax`
    /// folders below it. Hidden names are skipped.
    package init(directory: String, depthMax: Int = .max) {
        self.depthMax = depthMax
        var status = stat()
        if stat(directory, &status) == 0 { _ = markVisited(status) }
        walk(directory, depth: 0)
        files.sort()
    }

    private mutating func walk(_ directory: String, depth: Int) {
        guard let handle = opendir(directory) else {
            nonRegular.append("\(directory) (a folder that cannot be read: \(String(cString: strerror(errno))))")
            return
        }
        var names: [String] = []
        var status = stat()
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        // Sorted, so which of two paths to one file is kept does not depend on readdir's order.
        for name in names.sorted() {
            let full = directory + "/" + name
            guard stat(full, &status) == 0 else {
                nonRegular.append("\(full) (cannot be examined: \(String(cString: strerror(errno))))")
                continue
            }
            if status.st_mode & S_IFMT == S_IFDIR {
                if depth < depthMax, markVisited(status) { walk(full, depth: depth + 1) }
            } else if let kind = FileIO.nonRegularKind(mode: UInt32(status.st_mode)) {
                nonRegular.append("\(full) (\(kind))")
            } else if markVisited(status) {
                files.append(full)
            }
        }
    }

    /// Records a file or folder; false when it was seen before.
    private mutating func markVisited(_ status: stat) -> Bool {
        visited.insert(FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))).inserted
    }
}
