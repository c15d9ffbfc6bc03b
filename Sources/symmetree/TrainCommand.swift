import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "SageMaker training: read /opt/ml/input, write /opt/ml/model (or /opt/ml/output/failure).")

    @Option(help: "The SageMaker root folder (default: $SYMMETREE_ML_ROOT, else /opt/ml).")
    var mlRoot: String?

    /// The SageMaker root without `--ml-root`.
    static var defaultRoot: String { ProcessInfoLite.environment("SYMMETREE_ML_ROOT") ?? "/opt/ml" }

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // one log line at a time reaches CloudWatch
        TerminationSignal.install()
        AllocatorTuning.keepFreedBlocks()
        ForkJoin.installSpinningWorkers(count: ProcessorCount.online - 1)
        let root = mlRoot ?? Self.defaultRoot
        let logger: Logger
        do {
            logger = try OperationalLog.logger(label: "symmetree.train")
        } catch {
            throw fail(error.message)
        }
        let status = await SageMakerTraining(root: root, log: { print($0) }, logger: logger).run()
        if status != 0 { throw ExitCode(status) }
    }
}
