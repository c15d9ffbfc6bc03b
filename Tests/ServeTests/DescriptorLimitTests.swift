import Foundation
import IOUring
import Testing
@testable import Serve

/// `symmetree serve` run as a process under a low descriptor limit (`ulimit -n`): at EMFILE the
/// loop must rest instead of retrying accept in a busy loop, and keep serving what is open.
@Suite("Descriptor limit", .serialized)
struct DescriptorLimitTests {
    static var binary: String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("symmetree").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// User plus system CPU time of a process so far, in seconds (/proc/PID/stat, fields 14 and 15).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ")
        else { return nil }
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("at EMFILE accepting rests (no spinning), open connections are served, and accepting resumes when one closes",
          arguments: [BackendPreference.ioUring, .epoll])
    func emfile(backend: BackendPreference) throws {
        let binary = try #require(Self.binary, "the symmetree product is built next to the tests (scripts/test builds both)")
        let model = try TestModel()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -n 24 && exec \"$0\" serve --model-dir \"$1\" --port 0 --backend \"$2\"",
                             binary, model.directory, backend.rawValue]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var log = ""
        var port: UInt16?
        for _ in 0..<200 where port == nil {
            log += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            if let range = log.range(of: "Listening on 0.0.0.0:") {
                port = UInt16(log[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let listening = try #require(port, "no listening line in: \(log)")
        let first = try RawClient(port: listening)
        for _ in 0..<100 where first.request("GET", "/ping")?.status != 200 { usleep(20_000) }
        // Twice as many connections as descriptors: the kernel completes them all, the server can take only some.
        var crowd = try (0..<48).map { _ in try RawClient(port: listening) }
        usleep(300_000)
        let before = try #require(Self.cpuSeconds(pid: process.processIdentifier))
        usleep(1_000_000)
        let after = try #require(Self.cpuSeconds(pid: process.processIdentifier))
        // Before the fix: a full core (≈ 1 s) spent retrying accept.
        #expect(after - before < 0.3, "server CPU over 1 s at EMFILE: \(after - before) s")
        #expect(first.request("POST", "/invocations", body: "1,2,3\n", headers: ["Content-Type": "text/csv"])?.status == 200)
        // Free descriptors: the waiting connections are accepted and answered.
        crowd.removeAll()
        let late = try RawClient(port: listening)
        #expect(late.request("GET", "/ping")?.status == 200)
        process.terminate()
        process.waitUntilExit()
        log += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.components(separatedBy: "Cannot accept connections").count == 2, "logged once: \(log)")
    }
}
