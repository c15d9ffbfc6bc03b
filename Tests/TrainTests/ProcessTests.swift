import Foundation
import Model
import Testing
@testable import Train

/// The real binary under real signals: what SageMaker's stop (SIGTERM) and a spot interruption
/// (SIGKILL, then a new job on the same checkpoints) do to a training job.
@Suite("symmetree train as a process", .serialized)
struct ProcessTests {
    static var binary: String? {
        // The test bundle sits next to the product in .build/<configuration>.
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("symmetree").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A job slow enough to interrupt: 20k rows, many iterations, checkpoints every 5.
    static func prepare(_ ml: MLRoot, iterations: Int) throws {
        var text = ""
        for row in 0..<20_000 {
            let x = (0..<8).map { Double((row * (7 + $0 * 3)) % 101) / 10 }
            let y = x[0] * 0.5 + (x[1] > 5 ? 2 : 0) + x[2] * x[3] / 20
            text += "\(y)," + x.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        try ml.write(text, to: "input/data/training/train.csv")
        try ml.hyperparameters([
            "iterations": "\(iterations)", "depth": "8", "checkpoint_iterations": "5", "thread_count": "1",
        ])
    }

    func launch(_ ml: MLRoot) throws -> Process {
        try startTraining(ml)
    }

    func waitForCheckpoint(_ ml: MLRoot) {
        for _ in 0..<600 where !ml.exists("checkpoints/symmetree.checkpoint") { usleep(10_000) }
    }

    @Test("SIGTERM stops training with a failure and a checkpoint; kill -9 leaves no model; the resumed job equals an uninterrupted one")
    func interruptions() throws {
        _ = try #require(Self.binary, "the symmetree product is built next to the tests (scripts/test builds both)")
        let reference = try MLRoot()
        defer { reference.remove() }
        try Self.prepare(reference, iterations: 400)
        let full = try launch(reference)
        full.waitUntilExit()
        #expect(full.terminationStatus == 0)

        // SIGTERM: a clean stop, a reason, no model, a checkpoint to resume from.
        let ml = try MLRoot()
        defer { ml.remove() }
        try Self.prepare(ml, iterations: 400)
        let first = try launch(ml)
        waitForCheckpoint(ml)
        first.terminate()
        first.waitUntilExit()
        #expect(first.terminationStatus == 1)
        #expect(ml.failure?.contains("SIGTERM") == true, "\(ml.failure ?? "no failure file")")
        #expect(!ml.exists("model/model.symmetree"))
        #expect(ml.exists("checkpoints/symmetree.checkpoint"))

        // SIGKILL mid-way through the resumed job: still no model file that loads.
        try? FileManager.default.removeItem(atPath: ml.root + "/output/failure")
        let second = try launch(ml)
        usleep(300_000)
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        #expect((try? ModelLoader.load(path: ml.root + "/model/model.symmetree")) == nil)

        // The restarted job resumes from the checkpoint and reaches the uninterrupted model.
        let third = try launch(ml)
        third.waitUntilExit()
        #expect(third.terminationStatus == 0, "\(ml.failure ?? "")")
        let resumed = try ModelLoader.load(path: ml.root + "/model/model.symmetree")
        let uninterrupted = try ModelLoader.load(path: reference.root + "/model/model.symmetree")
        #expect(resumed == uninterrupted)
    }
}
