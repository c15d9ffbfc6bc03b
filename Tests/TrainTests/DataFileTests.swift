import Logging
import Foundation
import Model
import Testing
@testable import Train

/// What a channel folder may hold besides well-formed CSV: damaged gzip, links, FIFOs.
@Suite("Training data files")
struct DataFileTests {
    /// `gzip -n` of the contract tests' 200 rows, written as `relative` under the root; returns the bytes.
    static func writeGzip(_ ml: MLRoot, to relative: String) throws -> [UInt8] {
        let plain = relative.replacingOccurrences(of: ".gz", with: "")
        try ml.write(ContractTests.rows, to: plain)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-n", ml.root + "/" + plain]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        return Array(try Data(contentsOf: URL(fileURLWithPath: ml.root + "/" + relative)))
    }

    static func replace(_ ml: MLRoot, _ relative: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: ml.root + "/" + relative))
    }

    @Test("a gzip file cut short fails the job naming the file, instead of training on the rows before the cut")
    func truncatedGzip() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let relative = "input/data/training/train.csv.gz"
        let bytes = try Self.writeGzip(ml, to: relative)
        try Self.replace(ml, relative, with: Array(bytes.prefix(bytes.count / 2)))
        try ml.hyperparameters(["iterations": "5"])
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure)
        #expect(failure.contains("train.csv.gz") && failure.contains("truncated"), "\(failure)")
        #expect(!ml.exists("model/model.symmetree"))
    }

    @Test("a corrupt gzip file is reported with zlib's reason and the file, not a stale errno",
          arguments: [(8, "incorrect data check"), (4, "incorrect length check")])
    func corruptGzip(offsetFromEnd: Int, reason: String) throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let relative = "input/data/training/train.csv.gz"
        var bytes = try Self.writeGzip(ml, to: relative)
        // The trailer: CRC-32 of the data at 8 bytes from the end, its length at 4.
        bytes[bytes.count - offsetFromEnd] ^= 0xFF
        try Self.replace(ml, relative, with: bytes)
        let error = #expect(throws: TrainingError.self) {
            try CSVDataLoader.load(files: [ml.root + "/" + relative], labelColumn: 0, hasHeader: false)
        }
        let description = error?.description ?? ""
        #expect(description.contains("train.csv.gz") && description.contains("corrupt") && description.contains(reason), "\(description)")
    }

    @Test("a link back to an ancestor folder, or a second link to a file, does not read any file twice")
    func linksReadOnce() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let channel = ml.root + "/input/data/training"
        try ml.write(ContractTests.rows, to: "input/data/training/part/a.csv")
        try FileManager.default.createSymbolicLink(atPath: channel + "/part/loop", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: channel + "/same.csv", withDestinationPath: "part/a.csv")
        let files = try SageMakerTraining(root: ml.root, log: { _ in }, logger: .silent).dataFiles(channel: "training", required: true)
        #expect(files == [channel + "/part/a.csv"])
        let table = try CSVDataLoader.load(files: files, labelColumn: 0, hasHeader: false)
        #expect(table.rowCount == 200)
    }

    @Test("a channel holding only a FIFO and a dangling link fails naming both; beside data they are skipped")
    func nonRegularEntries() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let channel = ml.root + "/input/data/training"
        #expect(mkfifo(channel + "/pipe.csv", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: channel + "/gone.csv", withDestinationPath: "nowhere.csv")
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure)
        #expect(failure.contains("pipe.csv (a FIFO)") && failure.contains("gone.csv"), "\(failure)")

        try FileManager.default.removeItem(atPath: ml.root + "/output/failure")
        try ml.write(ContractTests.rows, to: "input/data/training/train.csv")
        try ml.hyperparameters(["iterations": "5"])
        #expect(await ml.run() == 0, "\(ml.failure ?? "")")
    }

    @Test("a channel path that is a file is reported as not a directory")
    func channelIsAFile() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try FileManager.default.removeItem(atPath: ml.root + "/input/data/training")
        try ml.write(ContractTests.rows, to: "input/data/training")
        #expect(await ml.run() == 1)
        #expect(ml.failure?.contains("is not a directory") == true, "\(ml.failure ?? "nil")")
    }
}
