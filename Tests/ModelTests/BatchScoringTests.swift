import Foundation
import Testing
@testable import Model

@Suite("Batch scoring of CSV streams")
struct BatchScoringTests {
    /// Scores `input` through temporary files and returns (output text, error).
    func score(_ input: String, ensemble: Ensemble) throws -> (String, ModelError?) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("symmetree-score-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputPath = directory.appendingPathComponent("in.csv").path
        let outputPath = directory.appendingPathComponent("out.txt").path
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        let inputFD = open(inputPath, O_RDONLY)
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(inputFD); close(outputFD) }
        var failure: ModelError? = nil
        do {
            _ = try BatchScoring.score(evaluator: Evaluator(ensemble), inputFD: inputFD, outputFD: outputFD)
        } catch {
            failure = error
        }
        return (try String(contentsOfFile: outputPath, encoding: .utf8), failure)
    }

    @Test("a multi-megabyte input streams through chunk boundaries and matches the evaluator")
    func largeInput() throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("depth8_trees50_f20_nanmin.cbm"))
        let rows = try Fixtures.features("depth8_trees50_f20_nanmin")
        let text = try String(contentsOfFile: Fixtures.path("depth8_trees50_f20_nanmin_features.csv"), encoding: .utf8)
        let repeats = 40  // ≈ 3.4 MB, several 1 MiB reads, lines split across them
        let (output, failure) = try score(String(repeating: text, count: repeats), ensemble: ensemble)
        #expect(failure == nil)
        let expected = Evaluator(ensemble).predict(features: rows.flatMap { $0 }, rowCount: rows.count)
        let lines = output.split(separator: "\n")
        #expect(lines.count == rows.count * repeats)
        for (index, line) in lines.enumerated() {
            #expect(Double(String(line))! == expected[index % rows.count])
        }
    }

    @Test("CRLF, quotes, spaces, missing-value spellings and a missing final newline are accepted")
    func dialects() throws {
        let ensemble = Ensemble(
            features: [FloatFeature(columnIndex: 0, borders: [0]), FloatFeature(columnIndex: 1, borders: [0], nanValueTreatment: .asTrue)],
            trees: [ObliviousTree(splits: [TreeSplit(featureIndex: 0, borderIndex: 0), TreeSplit(featureIndex: 1, borderIndex: 0)], leafValues: [1, 2, 3, 4])])
        let (output, failure) = try score("1,1\r\n-1, \"-1\" \r\n,NA\nnan,null\n\n1e0,-inf", ensemble: ensemble)
        #expect(failure == nil)
        #expect(output == "4.0\n1.0\n3.0\n3.0\n2.0\n")
    }

    @Test("bad rows name their line and column", arguments: [
        ("1,2\n3,abc\n", "line 2, column 2: 'abc' is not a number"),
        ("1,2\n3\n", "line 2: expected 2 columns, found 1"),
        ("1,2,3\n", "line 1: expected 2 columns, found 3"),
        ("1,2\n\n1,2\n0x5,1\n", "line 4, column 1: '0x5' is not a number"),
    ])
    func badRows(input: String, message: String) throws {
        let ensemble = Ensemble(features: [FloatFeature(columnIndex: 0, borders: [0]), FloatFeature(columnIndex: 1, borders: [0])], trees: [])
        let (_, failure) = try score(input, ensemble: ensemble)
        #expect(failure?.description == message)
    }
}
