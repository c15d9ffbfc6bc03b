import Foundation
import Testing
@testable import Model

@Suite("Model files")
struct ModelFileTests {
    static func sampleEnsemble() -> Ensemble {
        var generator = SeededGenerator(seed: 11)
        var ensemble = RandomModels.ensemble(depths: [2, 0, 3, 1], featureCount: 3, borderCount: 5, generator: &generator)
        ensemble.features[0].name = "age"
        ensemble.trees[0].leafWeights = [1, 2, 3, 4]
        ensemble.lossFunction = "Quantile:alpha=0.9"
        ensemble.parametersJSON = #"{"depth":6}"#
        return ensemble
    }

    @Test("our format round-trips every field", arguments: Fixtures.cases)
    func roundTripFixture(name: String) throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("\(name).cbm"))
        #expect(try ModelFile.decode(ModelFile.encode(ensemble)) == ensemble)
    }

    @Test("our format round-trips names, weights, loss and parameters")
    func roundTripSample() throws {
        let ensemble = Self.sampleEnsemble()
        let bytes = try ModelFile.encode(ensemble)
        #expect(bytes.count % 8 == 0)
        #expect(try ModelFile.decode(bytes) == ensemble)
        #expect(ModelFormat.detect(bytes) == .symmetree)
    }

    @Test("every truncation is an error, never a crash")
    func truncation() throws {
        let bytes = try ModelFile.encode(Self.sampleEnsemble())
        for length in 0..<bytes.count {
            #expect(throws: ModelError.self) { try ModelLoader.decode(Array(bytes[0..<length])) }
        }
    }

    @Test("every single-byte corruption is detected")
    func corruption() throws {
        let bytes = try ModelFile.encode(Self.sampleEnsemble())
        for position in 0..<bytes.count {
            var corrupt = bytes
            corrupt[position] ^= 0x5A
            #expect(throws: ModelError.self, "byte \(position)") { try ModelLoader.decode(corrupt) }
        }
    }

    @Test("a newer format version is refused by name")
    func wrongVersion() throws {
        var bytes = try ModelFile.encode(Self.sampleEnsemble())
        bytes[8] = 3
        let error = #expect(throws: ModelError.self) { try ModelFile.decode(bytes) }
        #expect(error?.description.contains("version 3") == true)
    }

    @Test("an ensemble that breaks an invariant is not written")
    func invalidNotWritten() {
        var ensemble = Self.sampleEnsemble()
        ensemble.trees[0].leafValues.removeLast()
        #expect(throws: ModelError.self) { try ModelFile.encode(ensemble) }
        ensemble = Self.sampleEnsemble()
        ensemble.features[1].borders = [2, 1]
        #expect(throws: ModelError.self) { try ModelFile.encode(ensemble) }
        ensemble = Self.sampleEnsemble()
        ensemble.trees[2].splits[0].borderIndex = 99
        #expect(throws: ModelError.self) { try CatBoostJSON.encode(ensemble) }
    }

    @Test("the writer applies the reader's bounds: a feature with one border too many is refused, the limit round-trips")
    func writerLimits() throws {
        var ensemble = Self.sampleEnsemble()
        ensemble.features[0].borders = (0..<ModelFile.borderCountMax).map { Float($0) }
        #expect(try ModelFile.decode(ModelFile.encode(ensemble)) == ensemble)
        ensemble.features[0].borders.append(Float(ModelFile.borderCountMax))
        let error = #expect(throws: ModelError.self) { try ModelFile.encode(ensemble) }
        #expect(error?.description.contains("feature 0's border count is 65537, above the format's limit of 65536") == true,
            "\(error?.description ?? "")")
        // CatBoost JSON has no such bound: the same model still exports there.
        #expect(try CatBoostJSON.decode(CatBoostJSON.encode(ensemble)).features[0].borders.count == 65_537)
    }

    @Test("atomic save replaces the file whole and leaves no temporary behind")
    func atomicSave() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("symmetree-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.bin").path
        try ModelLoader.save(Self.sampleEnsemble(), to: path)
        var second = Self.sampleEnsemble()
        second.bias = 42
        try ModelLoader.save(second, to: path)
        #expect(try ModelLoader.load(path: path) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.bin"])
        let missing = #expect(throws: ModelError.self) { try ModelLoader.load(path: directory.appendingPathComponent("nope").path) }
        #expect(missing?.description.contains("cannot open") == true)
        #expect(throws: ModelError.self) { try ModelLoader.save(second, to: "/nonexistent-dir/model.bin") }
    }

    @Test("garbage is not mistaken for a model")
    func garbage() {
        for bytes: [UInt8] in [[], [0x00], Array("hello".utf8), Array("CBM1".utf8), Array("CBM1\u{ff}\u{ff}\u{ff}\u{7f}".utf8), Array("{}".utf8), Array("[1]".utf8)] {
            #expect(throws: ModelError.self) { try ModelLoader.decode(bytes) }
        }
    }
}

@Suite("CatBoost JSON export")
struct CatBoostExportTests {
    @Test("export then import preserves predictions", arguments: Fixtures.cases)
    func exportImport(name: String) throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("\(name).cbm"))
        let exported = try CatBoostJSON.decode(CatBoostJSON.encode(ensemble))
        #expect(exported.features == ensemble.features)
        #expect(exported.trees == ensemble.trees)
        #expect(exported.scale == ensemble.scale && exported.bias == ensemble.bias)
        #expect(exported.lossFunction == ensemble.lossFunction)
    }

    @Test("loss functions with parameters survive the JSON spelling")
    func lossNames() {
        for name in ["RMSE", "Quantile:alpha=0.9", "Tweedie:variance_power=1.5", "Huber:delta=2"] {
            #expect(CatBoostJSON.lossFunctionName(CatBoostJSON.lossFunctionJSON(name)) == name)
        }
    }

    /// CatBoost itself must load what we export and predict identically. Needs `pip install
    /// catboost==1.2.10` (.ci/run installs it); without it the test is reported as skipped.
    @Test("CatBoost loads our export and predicts identically", .enabled(if: PythonCatBoost.isAvailable))
    func catBoostLoadsExport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("symmetree-export-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var names: [String] = []
        for name in Fixtures.cases {
            var ensemble = try ModelLoader.load(path: Fixtures.path("\(name).cbm"))
            // Perturb it so CatBoost is not simply re-reading its own numbers.
            ensemble.bias += 0.125
            ensemble.scale = 0.5
            let path = directory.appendingPathComponent("\(name).json").path
            try ModelLoader.save(ensemble, to: path, format: .catBoostJSON)
            let rows = try Fixtures.features(name)
            let ours = Evaluator(ensemble).predict(features: rows.flatMap { $0 }, rowCount: rows.count)
            try ours.map { $0.description }.joined(separator: "\n").write(
                toFile: directory.appendingPathComponent("\(name)_ours.txt").path, atomically: true, encoding: .utf8)
            names.append(name)
        }
        let output = try PythonCatBoost.run(
            script: Fixtures.repositoryRoot.appendingPathComponent("scripts/check_catboost_export.py").path,
            arguments: [directory.path, Fixtures.directory.path] + names)
        #expect(output.contains("OK"), "\(output)")
    }
}

enum PythonCatBoost {
    static let isAvailable: Bool = (try? run(arguments: ["-c", "import catboost"])) != nil

    @discardableResult
    static func run(script: String? = nil, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + (script.map { [$0] } ?? []) + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ModelError("python3 exited \(process.terminationStatus): \(text)")
        }
        return text
    }
}
