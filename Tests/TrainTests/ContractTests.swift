import Logging
import Foundation
import Model
import Testing
@testable import Train

@Suite("SageMaker train contract")
struct ContractTests {
    static let rows = (0..<200).map { index -> String in
        let x = Double(index % 17) / 4
        let z = Double((index * 7) % 11)
        return "\(x * 2 + z * 0.5),\(x),\(z)"
    }.joined(separator: "\n") + "\n"

    @Test("a run writes both model files, which load and agree, and learning curves")
    func writesModels() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write(Self.rows, to: "input/data/training/part-0.csv")
        try ml.write(Self.rows, to: "input/data/validation/val.csv")
        try ml.hyperparameters(["iterations": "30", "depth": "3"])
        #expect(await ml.run() == 0, "\(ml.failure ?? "")")
        let ours = try ModelLoader.load(path: ml.root + "/model/model.symmetree")
        let catBoost = try ModelLoader.load(path: ml.root + "/model/model.json")
        let row: [Float] = [1.5, 3]
        #expect(Evaluator(ours).predict(row: row) == Evaluator(catBoost).predict(row: row))
        #expect(ml.exists("output/data/learn_error.tsv"))
        #expect(ml.exists("output/data/test_error.tsv"))
        #expect(!ml.exists("output/failure"))
    }

    @Test("label_column takes first, last and (with csv_header) a column name, like an index",
          arguments: [("last", false), ("first", false), ("price", true), ("2", false)] as [(String, Bool)])
    func labelColumns(label: String, header: Bool) throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        // The same rows with the target moved where each spelling finds it.
        let rows = Self.rows.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let moved = rows.map { row -> String in
            switch label {
            case "first": return row.joined(separator: ",")
            default: return [row[1], row[2], row[0]].joined(separator: ",")  // 2, last, or "price" in the last place
            }
        }
        let text = (header ? "x,z,price\n" : "") + moved.joined(separator: "\n") + "\n"
        try ml.write(text, to: "input/data/training/train.csv")
        let parameters = try TrainingParameters(hyperparameters: ["label_column": label, "csv_header": header ? "true" : "false"])
        let table = try CSVDataLoader.load(
            files: [ml.root + "/input/data/training/train.csv"], labelColumn: parameters.labelColumn, hasHeader: header)
        let reference = try CSVDataLoader.load(files: [write(ml)], labelColumn: 0, hasHeader: false)
        #expect(table.targets == reference.targets)
        #expect(table.columns == reference.columns)
    }

    /// The rows as they are (target first), for comparison.
    private func write(_ ml: MLRoot) throws -> String {
        try ml.write(Self.rows, to: "reference.csv")
        return ml.root + "/reference.csv"
    }

    @Test("a named label_column needs csv_header and a header that has it")
    func labelColumnNameErrors() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write("a,b,c\n1,2,3\n", to: "input/data/training/train.csv")
        let path = ml.root + "/input/data/training/train.csv"
        #expect {
            _ = try TrainingParameters(hyperparameters: ["label_column": "c"])
        } throws: { "\($0)".contains("set csv_header=true") }
        #expect {
            _ = try CSVDataLoader.load(files: [path], labelColumn: .named("price"), hasHeader: true)
        } throws: { "\($0)".contains("is not in the header (a, b, c)") }
        #expect(throws: TrainingError.self) { _ = try TrainingParameters(hyperparameters: ["label_column": "-1"]) }
    }

    @Test("checkpoints go to checkpointconfig.json's LocalPath")
    func checkpointLocalPath() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write(Self.rows, to: "input/data/training/train.csv")
        try ml.hyperparameters(["iterations": "20", "depth": "2", "checkpoint_iterations": "5"])
        try ml.write("{\"LocalPath\": \"\(ml.root)/spot/checkpoints/\", \"S3Uri\": \"s3://bucket/x\"}",
                     to: "input/config/checkpointconfig.json")
        #expect(await ml.run() == 0, "\(ml.failure ?? "")")
        #expect(ml.exists("spot/checkpoints/symmetree.checkpoint"))
        #expect(!ml.exists("checkpoints/symmetree.checkpoint"))
        try ml.write("{\"LocalPath\": \"relative/path\"}", to: "input/config/checkpointconfig.json")
        #expect(await ml.run() == 1)
        #expect(ml.failure?.contains("LocalPath must be an absolute path") == true)
    }

    @Test("output/failure carries the cause in the 1,024 characters SageMaker shows")
    func longFailure() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        // A channel holding only what cannot be read: the message lists every entry.
        for index in 0..<200 {
            #expect(mkfifo(ml.root + "/input/data/training/pipe-with-a-long-name-\(index).csv", 0o600) == 0)
        }
        try ml.hyperparameters(["iterations": "5"])
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure)
        #expect(failure.count <= 1025)
        #expect(failure.hasPrefix("the training channel"), "\(failure.prefix(80))")
        #expect(failure.contains("the job's log has the whole message"))
        #expect(SageMakerTraining.failureText("short") == "short")
    }

    @Test("the training data may come as channel 'train'; channels for other steps are ignored, with a log line")
    func channelNames() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try FileManager.default.removeItem(atPath: ml.root + "/input/data/training")
        try ml.write(Self.rows, to: "input/data/train/train.csv")
        try ml.write(Self.rows, to: "input/data/test/test.csv")
        try ml.hyperparameters(["iterations": "5", "depth": "2"])
        try ml.write(
            "{\"train\": {\"TrainingInputMode\": \"File\", \"ContentType\": \"text/csv\"}, \"test\": {\"ContentType\": \"application/x-parquet\"}}",
            to: "input/config/inputdataconfig.json")
        let lines = LockedLines()
        let status = await SageMakerTraining(root: ml.root, log: { lines.append($0) }, logger: .capturing(into: lines)).run()
        #expect(status == 0, "\(ml.failure ?? "") \(lines.all)")
        #expect(ml.exists("model/model.symmetree"))
        #expect(lines.all.filter { $0.contains("Ignoring input channel 'test'") }.count == 1, "\(lines.all)")

        try ml.write(Self.rows, to: "input/data/training/train.csv")
        #expect(await ml.run() == 1)
        #expect(ml.failure?.contains("both a 'training' and a 'train' channel") == true, "\(ml.failure ?? "")")
    }

    @Test("every failure names its cause in output/failure, exits non-zero, writes no model",
          arguments: [
            ("unknown hyperparameter", ["iterations": "5", "learning_rat": "0.1"], "learning_rat"),
            ("bad value", ["depth": "seven"], "depth"),
            ("out of range", ["depth": "17"], "depth"),
            ("bad loss", ["loss_function": "Quantile:alpha=2"], "alpha"),
          ] as [(String, [String: String], String)])
    func hyperparameterFailures(label: String, hyperparameters: [String: String], mentions: String) async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write(Self.rows, to: "input/data/training/train.csv")
        try ml.hyperparameters(hyperparameters)
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure, "\(label): no failure file")
        #expect(failure.contains(mentions), "\(label): \(failure)")
        #expect(!ml.exists("model/model.symmetree"))
    }

    @Test("a bad CSV row is reported with file, line and column")
    func badRow() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write("1,2,3\n4,5,6\n7,eight,9\n", to: "input/data/training/train.csv")
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure)
        #expect(failure.contains("train.csv") && failure.contains("line 3") && failure.contains("column 2"), "\(failure)")
    }

    @Test("ragged rows, missing targets and empty channels are clear failures")
    func otherDataFailures() async throws {
        for (content, expected) in [("1,2,3\n4,5\n", "columns"), (",2,3\n", "target"), ("", "no data rows")] {
            let ml = try MLRoot()
            defer { ml.remove() }
            try ml.write(content, to: "input/data/training/train.csv")
            #expect(await ml.run() == 1)
            #expect(ml.failure?.contains(expected) == true, "\(ml.failure ?? "nil")")
        }
        let ml = try MLRoot()
        defer { ml.remove() }
        #expect(await ml.run() == 1)
        #expect(ml.failure?.contains("holds no files") == true, "\(ml.failure ?? "nil")")
    }

    @Test("an empty validation file is reported as the validation channel's, not the training files'")
    func emptyValidation() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write(Self.rows, to: "input/data/training/train.csv")
        try ml.write("\n", to: "input/data/validation/val.csv")
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure)
        #expect(failure.contains("the validation channel holds no data rows") && failure.contains("val.csv"), "\(failure)")
    }

    @Test("gzip files and several files per channel are read, in name order")
    func gzipAndSeveralFiles() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        let rows = Self.rows.split(separator: "\n")
        try ml.write(rows[..<100].joined(separator: "\n") + "\n", to: "input/data/training/a.csv")
        try ml.write(rows[100...].joined(separator: "\n") + "\n", to: "input/data/training/b.csv")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [ml.root + "/input/data/training/b.csv"]
        try gzip.run()
        gzip.waitUntilExit()
        try ml.hyperparameters(["iterations": "5"])
        #expect(await ml.run() == 0, "\(ml.failure ?? "")")
        let table = try CSVDataLoader.load(
            files: try SageMakerTraining(root: ml.root, log: { _ in }, logger: .silent).dataFiles(channel: "training", required: true),
            labelColumn: 0, hasHeader: false)
        #expect(table.rowCount == 200)
    }

    @Test("a run resumed from a checkpoint reaches the same model as an uninterrupted one")
    func checkpointResume() async throws {
        let learn = try loadTable(TrainFixtures.path("rmse_numeric_d6_train.csv"))
        // Defaults (MVS sampling, random_strength noise) so the random state must carry over.
        let parameters = try TrainingParameters(hyperparameters: ["iterations": "40", "depth": "4"])
        let full = try await Booster(parameters: parameters).train(learn: learn, eval: nil)

        let saved = CheckpointBox()
        var checkpointing = parameters
        checkpointing.checkpointIterations = 15
        _ = try await Booster(parameters: checkpointing, checkpoint: { progress in saved.store(progress) })
            .train(learn: learn, eval: nil)
        let progress = try #require(saved.first)
        #expect(progress.trees.count == 15)
        let bytes = Checkpoint.encode(progress, fingerprint: 42)
        let restored = try Checkpoint.decode(bytes, fingerprint: 42)
        let resumed = try await Booster(parameters: parameters).train(learn: learn, eval: nil, resumeFrom: restored)
        #expect(resumed.ensemble == full.ensemble)
        #expect(resumed.learnHistory == full.learnHistory)

        #expect(throws: TrainingError.self) { try Checkpoint.decode(bytes, fingerprint: 43) }
        var corrupt = bytes
        corrupt[corrupt.count / 2] ^= 0xFF
        #expect(throws: TrainingError.self) { try Checkpoint.decode(corrupt, fingerprint: 42) }
        #expect(throws: TrainingError.self) { try Checkpoint.decode(Array(bytes.prefix(bytes.count - 9)), fingerprint: 42) }
    }

    @Test("early stopping with use_best_model cuts the model to the best iteration")
    func earlyStopping() async throws {
        let learn = try loadTable(TrainFixtures.path("rmse_integers_d6_l2_train.csv"))
        let eval = try loadTable(TrainFixtures.path("rmse_numeric_d6_train.csv"))
        let trimmed = DataTable(columns: Array(learn.columns.prefix(4)), targets: learn.targets)
        let evalTable = DataTable(columns: Array(eval.columns.prefix(4)), targets: eval.targets)
        let parameters = try TrainingParameters(hyperparameters: [
            "iterations": "500", "learning_rate": "0.5", "early_stopping_rounds": "5",
        ])
        let result = try await Booster(parameters: parameters).train(learn: trimmed, eval: evalTable)
        let best = try #require(result.bestIteration)
        #expect(result.stopReason?.contains("overfitting detector") == true)
        #expect(result.ensemble.trees.count == best + 1)
        #expect(result.evalHistory.count == best + 6)
    }
}

/// Collects checkpoints from the booster's @Sendable callback.
final class CheckpointBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [TrainingProgress] = []

    func store(_ progress: TrainingProgress) {
        lock.lock()
        stored.append(progress)
        lock.unlock()
    }

    var first: TrainingProgress? {
        lock.lock()
        defer { lock.unlock() }
        return stored.first
    }
}
