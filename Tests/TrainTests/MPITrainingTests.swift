import Foundation
import Model
import Testing
@testable import Train

/// Multi-host training as Open MPI runs it: `mpirun -np N symmetree train` on this machine,
/// every rank reading the same /opt/ml (FullyReplicated: each keeps its share of the rows) or
/// its share of the files (ShardedByS3Key), compared with one process on the same rows.
@Suite("symmetree train under mpirun", .serialized, .enabled(if: openMPIRun != nil))
struct MPITrainingTests {
    static var mpirun: String? { openMPIRun }

    /// Rows whose splits are not close calls: `rowCount` rows of 6 features.
    static func rows(_ range: Range<Int>) -> String {
        var text = ""
        for row in range {
            let x: [Double] = (0..<6).map { (column: Int) -> Double in
                let code = (row &* (7 + column * 13) &+ column * 31) % 997
                return Double(code) / 97
            }
            let step: Double = x[1] > 5 ? 2 : 0
            let y: Double = x[0] * 0.5 + step + x[2] * x[3] / 20 - x[4] * 0.1
            text += "\(y)," + x.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// The split-for-split comparison the issue asks for: no bootstrap, no split noise.
    static let exactParameters = ["iterations": "40", "depth": "6", "bootstrap_type": "No", "random_strength": "0", "thread_count": "1"]

    func run(_ ml: MLRoot) throws -> Int32 {
        let process = try startTraining(ml)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `mpirun -np ranks symmetree train --ml-root …`, as root and with more ranks than cores
    /// when asked (this machine has two). `tag` marks the ranks' environment so a test can find them.
    func launch(ranks: Int, _ ml: MLRoot, tag: String = "") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.mpirun))
        process.arguments = [
            "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "\(ranks)", "-x", "SYMMETREE_TEST_TAG=\(tag)",
            try #require(ProcessTests.binary), "train", "--ml-root", ml.root,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func model(_ ml: MLRoot) throws -> Ensemble {
        try ModelLoader.load(path: ml.root + "/model/model.symmetree")
    }

    /// Same borders, same splits, leaf values within 1e-9 relative (sums over ranks add in
    /// another order than one process's row order); returns the largest relative difference.
    @discardableResult
    func expectSameModel(_ distributed: Ensemble, _ single: Ensemble) -> Double {
        #expect(distributed.features == single.features)
        #expect(distributed.trees.count == single.trees.count)
        var largest = 0.0
        for (tree, reference) in zip(distributed.trees, single.trees) {
            #expect(tree.splits == reference.splits)
            for (value, expected) in zip(tree.leafValues, reference.leafValues) {
                let scale = max(abs(value), abs(expected), 1e-300)
                largest = max(largest, abs(value - expected) / scale)
            }
        }
        #expect(largest <= 1e-9, "largest relative leaf difference \(largest)")
        #expect(abs(distributed.bias - single.bias) <= 1e-12 * max(1, abs(single.bias)))
        return largest
    }

    @Test(
        "FullyReplicated: 2 ranks (uneven shares, histograms by subtraction) and 3 ranks (rank 0 holds no rows) train the one-process model",
        arguments: [(2, 60_000), (3, 10_000)])
    func replicatedEqualsOneProcess(ranks: Int, rowCount: Int) throws {
        let single = try MLRoot()
        let distributed = try MLRoot()
        defer { single.remove(); distributed.remove() }
        for ml in [single, distributed] {
            try ml.write(Self.rows(0..<rowCount), to: "input/data/training/train.csv")
            try ml.write(Self.rows(rowCount..<(rowCount + 2000)), to: "input/data/validation/valid.csv")
            try ml.hyperparameters(Self.exactParameters)
        }
        #expect(try run(single) == 0, "\(single.failure ?? "")")
        let job = try launch(ranks: ranks, distributed)
        job.waitUntilExit()
        #expect(job.terminationStatus == 0, "\(distributed.failure ?? "")")
        expectSameModel(try model(distributed), try model(single))
        let curve = { (ml: MLRoot) in try String(contentsOfFile: ml.root + "/output/data/test_error.tsv", encoding: .utf8) }
        #expect(try curve(distributed).split(separator: "\n").count == curve(single).split(separator: "\n").count)
    }

    @Test("ShardedByS3Key: 3 ranks over 2 files (rank 0 reads none) train the model one process trains on both")
    func shardedEqualsOneProcess() throws {
        let single = try MLRoot()
        let distributed = try MLRoot()
        defer { single.remove(); distributed.remove() }
        for ml in [single, distributed] {
            try ml.write(Self.rows(0..<7000), to: "input/data/training/a.csv")
            try ml.write(Self.rows(7000..<12_000), to: "input/data/training/b.csv")
            try ml.hyperparameters(Self.exactParameters)
        }
        try distributed.write(
            #"{"training": {"S3DistributionType": "ShardedByS3Key", "TrainingInputMode": "File"}}"#,
            to: "input/config/inputdataconfig.json")
        #expect(try run(single) == 0, "\(single.failure ?? "")")
        let job = try launch(ranks: 3, distributed)
        job.waitUntilExit()
        #expect(job.terminationStatus == 0, "\(distributed.failure ?? "")")
        expectSameModel(try model(distributed), try model(single))
    }

    @Test("A rank whose file is bad fails the job; rank 0 writes that rank's reason")
    func failingRank() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write(Self.rows(0..<3000), to: "input/data/training/a.csv")
        try ml.write(Self.rows(3000..<4000) + "1.5,2,oops,3,4,5,6\n", to: "input/data/training/b.csv")
        try ml.write(#"{"training": {"S3DistributionType": "ShardedByS3Key"}}"#, to: "input/config/inputdataconfig.json")
        try ml.hyperparameters(Self.exactParameters)
        let job = try launch(ranks: 2, ml)
        job.waitUntilExit()
        #expect(job.terminationStatus != 0)
        let failure = try #require(ml.failure)
        #expect(failure.contains("rank 1 of 2"), "\(failure)")
        #expect(failure.contains("b.csv"), "\(failure)")
        #expect(!ml.exists("model/model.symmetree"))
    }

    @Test("Categorical features are refused on more than one rank, naming why")
    func categoricalRefused() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        var text = ""
        for row in 0..<500 { text += "\(Double(row % 7)),\(["a", "b", "c"][row % 3]),\(row % 11)\n" }
        try ml.write(text, to: "input/data/training/train.csv")
        try ml.hyperparameters(["iterations": "5", "cat_features": "0"])
        let job = try launch(ranks: 2, ml)
        job.waitUntilExit()
        #expect(job.terminationStatus != 0)
        #expect(ml.failure?.contains("categorical features train on one host only") == true, "\(ml.failure ?? "no failure")")
    }

    @Test("SIGTERM to rank 1 alone stops every rank at the same tree; rank 0 keeps a checkpoint that the rerun job resumes")
    func terminationOnOneRank() throws {
        let reference = try MLRoot()
        let ml = try MLRoot()
        defer { reference.remove(); ml.remove() }
        for root in [reference, ml] { try ProcessTests.prepare(root, iterations: 300) }
        let uninterrupted = try launch(ranks: 2, reference)
        uninterrupted.waitUntilExit()
        #expect(uninterrupted.terminationStatus == 0, "\(reference.failure ?? "")")

        let tag = UUID().uuidString
        let job = try launch(ranks: 2, ml, tag: tag)
        for _ in 0..<1000 where !ml.exists("checkpoints/symmetree.checkpoint") { usleep(10_000) }
        let rank1 = try #require(Self.processes(tag: tag, rank: 1).first, "rank 1 of the job is running")
        kill(rank1, SIGTERM)
        job.waitUntilExit()
        #expect(job.terminationStatus != 0)
        #expect(ml.failure?.contains("SIGTERM") == true, "\(ml.failure ?? "no failure file")")
        #expect(ml.exists("checkpoints/symmetree.checkpoint"))
        #expect(!ml.exists("model/model.symmetree"))

        // Every rank resumes from rank 0's checkpoint and reaches the uninterrupted job's model.
        try? FileManager.default.removeItem(atPath: ml.root + "/output/failure")
        let rerun = try launch(ranks: 2, ml)
        rerun.waitUntilExit()
        #expect(rerun.terminationStatus == 0, "\(ml.failure ?? "")")
        #expect(try model(ml) == model(reference))
    }

    @Test("Under mpirun without Open MPI's library the job fails, saying so")
    func missingLibrary() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write(Self.rows(0..<100), to: "input/data/training/train.csv")
        let process = try startTraining(
            ml,
            environment: [
                "OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0", "SYMMETREE_LIBMPI": "libmpi-not-installed.so.40",
            ])
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(ml.failure?.contains("Open MPI's library cannot be loaded") == true, "\(ml.failure ?? "no failure")")
    }

    /// The processes whose environment holds SYMMETREE_TEST_TAG=tag and OMPI_COMM_WORLD_RANK=rank.
    static func processes(tag: String, rank: Int) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else {
                return nil
            }
            let variables = Set(environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
            return variables.contains("SYMMETREE_TEST_TAG=\(tag)") && variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") ? pid : nil
        }
    }
}

/// Open MPI's launcher (scripts/test installs Debian's openmpi-bin).
let openMPIRun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("How rows are spread over ranks")
struct RowShareTests {
    @Test("FullyReplicated shares are contiguous runs of whole bootstrap blocks, empty when blocks run out")
    func replicatedShares() {
        let shares = (0..<3).map { RowShard.replicatedShare(totalRowCount: 10_000, granule: 8192, rank: $0, rankCount: 3) }
        #expect(shares == [0..<0, 0..<8192, 8192..<10_000])
        let even = (0..<2).map { RowShard.replicatedShare(totalRowCount: 40_000, granule: 8192, rank: $0, rankCount: 2) }
        #expect(even == [0..<16_384, 16_384..<40_000])
        #expect(RowShard.replicatedShare(totalRowCount: 0, granule: 8192, rank: 0, rankCount: 1) == 0..<0)
    }

    @Test("Bootstrap draws are keyed by global row: two shards draw what one process draws", arguments: [BootstrapType.bernoulli, .bayesian])
    func samplingDoesNotDependOnTheSplit(type: BootstrapType) {
        let rowCount = 30_000
        let gradients = (0..<rowCount).map { Double(($0 * 37) % 101) - 50 }
        let weights = [Double](repeating: 1, count: rowCount)
        func sample(_ rows: Range<Int>) -> SampledRows {
            LearnPasses(
                targets: [Double](repeating: 0, count: rows.count), weights: Array(weights[rows]), threadCount: 1,
                firstRow: rows.lowerBound
            ).sample(
                type: type, subsample: 0.5, baggingTemperature: 1, mvsRegularizer: 0, seed: 42,
                gradients: Array(gradients[rows]))
        }
        let whole = sample(0..<rowCount)
        // 10_001 is inside the second bootstrap block: the second shard skips its first draws.
        let low = sample(0..<10_001)
        let high = sample(10_001..<rowCount)
        #expect(low.rowIndex + high.rowIndex.map { $0 + 10_001 } == whole.rowIndex)
        #expect(low.gradientWeight + high.gradientWeight == whole.gradientWeight)
    }
}
