import Foundation
import Testing
@testable import Model

@Suite("File reads and writes")
struct FileIOTests {
    /// A fresh temporary folder, removed by `remove()`.
    struct Folder {
        let path = NSTemporaryDirectory() + "symmetree-fileio-\(UUID().uuidString)"

        init() throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        func file(_ name: String) -> String { path + "/" + name }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("reading a FIFO named like a model fails at once instead of waiting for a writer")
    func fifoIsRefused() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let fifo = folder.file("model.json")
        #expect(mkfifo(fifo, 0o644) == 0)
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        Thread.detachNewThread {
            do {
                _ = try FileIO.readAll(path: fifo)
                outcome.set("read succeeded")
            } catch {
                outcome.set("\(error)")
            }
            finished.signal()
        }
        if finished.wait(timeout: .now() + 5) == .timedOut {
            // Release the blocked reader (a writer that opens and closes), so the suite goes on.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            finished.wait()
            Issue.record("readAll blocked on a FIFO")
        }
        #expect(outcome.value?.contains("is a FIFO, not a regular file") == true, "\(outcome.value ?? "nil")")
    }

    @Test("a write through a symbolic link (relative, chained or dangling) replaces the target and keeps the link")
    func writeThroughLinks() throws {
        let folder = try Folder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file("real"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder.file("real/model.json")))
        try FileManager.default.createSymbolicLink(atPath: folder.file("first"), withDestinationPath: "real/model.json")
        try FileManager.default.createSymbolicLink(atPath: folder.file("second"), withDestinationPath: folder.file("first"))
        try FileIO.writeAtomically(Array("new".utf8), to: folder.file("second"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("second")) == folder.file("first"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("first")) == "real/model.json")
        #expect(try String(contentsOfFile: folder.file("real/model.json"), encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("real")) == ["model.json"])

        try FileManager.default.createSymbolicLink(atPath: folder.file("dangling"), withDestinationPath: "real/created.json")
        try FileIO.writeAtomically(Array("made".utf8), to: folder.file("dangling"))
        #expect(try String(contentsOfFile: folder.file("real/created.json"), encoding: .utf8) == "made")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("dangling")) == "real/created.json")

        try FileManager.default.createSymbolicLink(atPath: folder.file("loop"), withDestinationPath: "loop")
        let error = #expect(throws: ModelError.self) { try FileIO.writeAtomically([1], to: folder.file("loop")) }
        #expect(error?.description.contains("symbolic links") == true, "\(error?.description ?? "")")
    }

    @Test("a write never replaces a FIFO or a folder, directly or through a link")
    func nonRegularOutputsRefused() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let fifo = folder.file("model.json")
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.file("link"), withDestinationPath: "model.json")
        try FileManager.default.createDirectory(atPath: folder.file("sub"), withIntermediateDirectories: true)
        for (path, mentions) in [(fifo, "is a FIFO"), (folder.file("link"), "is a FIFO"), (folder.file("sub"), "is a directory")] {
            let error = #expect(throws: ModelError.self) { try FileIO.writeAtomically([1], to: path) }
            #expect(error?.description.contains(mentions) == true, "\(error?.description ?? "")")
        }
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["link", "model.json", "sub"])
    }

    @Test("the same file is recognized by device and inode through another path, a hard link and a symbolic link")
    func sameFile() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let original = folder.file("rows.csv")
        try Data("1,2\n".utf8).write(to: URL(fileURLWithPath: original))
        try Data("1,2\n".utf8).write(to: URL(fileURLWithPath: folder.file("copy.csv")))
        #expect(link(original, folder.file("hard.csv")) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.file("soft.csv"), withDestinationPath: "rows.csv")
        for path in [original, folder.path + "/./rows.csv", folder.file("hard.csv"), folder.file("soft.csv")] {
            #expect(FileIO.isSameRegularFile(path, original), "\(path)")
        }
        #expect(!FileIO.isSameRegularFile(folder.file("copy.csv"), original))
        #expect(!FileIO.isSameRegularFile(folder.file("missing.csv"), original))
        let fd = open(folder.file("soft.csv"), O_RDONLY)
        defer { close(fd) }
        #expect(FileIO.isSameRegularFile(folder.file("hard.csv"), fd: fd))
    }
}

/// A result handed from a helper thread to the test.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?

    func set(_ value: String) {
        lock.lock()
        stored = value
        lock.unlock()
    }

    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

@Suite("Descriptor reads and writes")
struct DescriptorTests {
    @Test("writeAll and readFully move every byte through a pipe; a bad descriptor reports its errno")
    func pipeRoundTrip() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let payload = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        // The writer on its own thread: the pipe holds 64 KiB at most, and reads come in pieces.
        let writeEnd = ends[1]
        let writer = Thread { _ = payload.withUnsafeBytes { Descriptor.writeAll(writeEnd, $0) }; close(writeEnd) }
        writer.start()
        var received = [UInt8](repeating: 0, count: 60_000)
        let outcome = received.withUnsafeMutableBytes { Descriptor.readFully(ends[0], into: $0) }
        close(ends[0])
        guard case .success(let count) = outcome else { Issue.record("read failed: \(outcome)"); return }
        #expect(count == payload.count)
        #expect(Array(received[..<count]) == payload)
        // -1, not the closed end: another test may already hold that number again.
        let closed = [UInt8](repeating: 1, count: 4).withUnsafeBytes { Descriptor.writeAll(-1, $0) }
        #expect(closed?.code == EBADF)
    }
}
