import Foundation
import Model
import Testing

/// `symmetree predict` and `export` as a user runs them: what they may overwrite.
@Suite("symmetree predict and export as processes")
struct CommandLineTests {
    /// Runs the binary; returns its exit status and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, standardError: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ProcessTests.binary, "build the symmetree product first"))
        process.arguments = arguments
        let errorPipe = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        try process.run()
        let errorData = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errorData, as: UTF8.self))
    }

    /// One split on column 0 at 0.5: predicts 1 below, 2 above.
    static func writeModel(to path: String) throws {
        let ensemble = Ensemble(
            features: [FloatFeature(columnIndex: 0, borders: [0.5])],
            trees: [ObliviousTree(splits: [TreeSplit(featureIndex: 0, borderIndex: 0)], leafValues: [1, 2])])
        try ModelLoader.save(ensemble, to: path)
    }

    @Test("predict refuses an output that is its input or its model, by any path, and leaves them intact")
    func predictOutputIsInput() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let model = ml.root + "/model.symmetree"
        try Self.writeModel(to: model)
        let input = ml.root + "/rows.csv"
        try "0.2\n0.9\n".write(toFile: input, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: ml.root + "/alias.csv", withDestinationPath: "rows.csv")
        for output in [input, ml.root + "/./rows.csv", ml.root + "/alias.csv"] {
            let result = try Self.run(["predict", "--model", model, "--input", input, "--output", output])
            #expect(result.status == 1)
            #expect(result.standardError.contains("is the input file"), "\(result.standardError)")
        }
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "0.2\n0.9\n")
        let result = try Self.run(["predict", "--model", model, "--input", input, "--output", model])
        #expect(result.status == 1)
        #expect(result.standardError.contains("is the model file"), "\(result.standardError)")
        #expect(try ModelLoader.load(path: model).trees.count == 1)

        let output = ml.root + "/out.csv"
        #expect(try Self.run(["predict", "--model", model, "--input", input, "--output", output]).status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "1.0\n2.0\n")
    }

    @Test("export writes through a symbolic link and refuses to replace a FIFO")
    func exportOutputs() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let model = ml.root + "/model.symmetree"
        try Self.writeModel(to: model)
        try "stale".write(toFile: ml.root + "/target.json", atomically: true, encoding: .utf8)
        let link = ml.root + "/link.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.json")
        #expect(try Self.run(["export", "--model", model, "--output", link]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.json")
        #expect(try ModelLoader.load(path: ml.root + "/target.json").trees == ModelLoader.load(path: model).trees)

        let fifo = ml.root + "/pipe.json"
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try Self.run(["export", "--model", model, "--output", fifo])
        #expect(result.status == 1)
        #expect(result.standardError.contains("is a FIFO, not a regular file"), "\(result.standardError)")
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }

    static let categoricalFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ModelTests/Fixtures/categorical").path

    @Test("predict scores a categorical CatBoost model's text rows as CatBoost does, and names a bad row")
    func predictCategorical() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let model = Self.categoricalFixtures + "/cat_flights.cbm"
        let output = ml.root + "/out.csv"
        let input = Self.categoricalFixtures + "/cat_flights_features.csv"
        #expect(try Self.run(["predict", "--model", model, "--input", input, "--output", output]).status == 0)
        let ours = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map { Double(String($0))! }
        let expected = try String(contentsOfFile: Self.categoricalFixtures + "/cat_flights_expected.txt", encoding: .utf8)
            .split(separator: "\n").map { Double(String($0.split(separator: ",")[1]))! }
        #expect(ours.count == expected.count)
        for (index, (actual, wanted)) in zip(ours, expected).enumerated() {
            #expect(abs(actual - wanted) <= 1e-9 * max(1, abs(wanted)), "row \(index)")
        }
        let bad = ml.root + "/bad.csv"
        let lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n").prefix(3)
        try (lines.joined(separator: "\n") + "\n4.0,13.0,\"B6,952.0\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try Self.run(["predict", "--model", model, "--input", bad, "--output", output])
        #expect(result.status == 1)
        #expect(result.standardError.contains("line 4"), "\(result.standardError)")
    }
}
