import Foundation
import Testing
@testable import Serve

/// Model discovery as SageMaker's CatBoost users' artifacts need it: by content, any name, in a
/// subfolder, one model or a clear error.
@Suite("Model locator")
struct ModelLocatorTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ModelTests/Fixtures")

    /// A fresh folder with `files` (relative path → fixture name, or text when not a fixture).
    func folder(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "symmetree-find-\(UUID().uuidString)"
        for (relative, source) in files {
            let path = directory + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let fixture = Self.fixtures.appendingPathComponent(source).path
            if FileManager.default.fileExists(atPath: fixture) {
                try FileManager.default.copyItem(atPath: fixture, toPath: path)
            } else {
                try source.write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
        return directory
    }

    @Test("a CatBoost model is found by its content under any name, in a subfolder too", arguments: [
        "model", "model.dump", "catboost-model.cbm", "export/model.json", "a/b/model.bin",
    ])
    func foundByContent(name: String) throws {
        let source = name.hasSuffix(".json") ? "depth1_trees1_f1.json" : "depth1_trees1_f1.cbm"
        let directory = try folder([name: source, "hyperparameters.json": "{\"depth\": \"6\"}", "README": "notes"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try ModelLocator.find(in: directory) == directory + "/" + name)
    }

    @Test("train's own output, model.symmetree with its CatBoost JSON twin, is one model")
    func trainOutput() throws {
        let directory = try folder(["model.json": "depth1_trees1_f1.json"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = try TestModel()
        try FileManager.default.copyItem(atPath: model.directory + "/model.symmetree", toPath: directory + "/model.symmetree")
        #expect(try ModelLocator.find(in: directory) == directory + "/model.symmetree")
    }

    @Test("two models are an error naming both; no model lists what is there")
    func ambiguousOrMissing() throws {
        let two = try folder(["model": "depth1_trees1_f1.cbm", "old/model.dump": "depth6_trees200_f10.cbm"])
        defer { try? FileManager.default.removeItem(atPath: two) }
        #expect {
            _ = try ModelLocator.find(in: two)
        } throws: { error in
            "\(error)".contains("more than one model") && "\(error)".contains("\(two)/model,") && "\(error)".contains("old/model.dump")
        }
        let none = try folder(["hyperparameters.json": "{\"depth\": \"6\"}", "notes.txt": "x"])
        defer { try? FileManager.default.removeItem(atPath: none) }
        #expect {
            _ = try ModelLocator.find(in: none)
        } throws: { error in
            "\(error)".contains("no model") && "\(error)".contains("hyperparameters.json")
        }
    }
}
