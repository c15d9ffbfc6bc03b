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
