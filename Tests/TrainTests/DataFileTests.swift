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
}
