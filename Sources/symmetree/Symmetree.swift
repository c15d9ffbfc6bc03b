import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

@main
struct Symmetree: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CatBoost-compatible gradient-boosted oblivious trees for SageMaker.",
        subcommands: [TrainCommand.self, ServeCommand.self, Predict.self, Inspect.self, Export.self]
    )

    static func main() async {
        refuseUnsupportedCPU()
        await main(nil)
    }

    /// This build uses x86-64-v2 instructions (Package.swift's `cpuBaseline`). On a CPU without
    /// them, say so and exit 1 (writing SageMaker's failure file for `train`) instead of dying
    /// of SIGILL somewhere in the middle.
    static func refuseUnsupportedCPU() {
        guard !CPUBaseline.requiredFeatures.isEmpty, let cpuinfo = CPUBaseline.readCPUInfo(),
            let missing = CPUBaseline.missingFeatures(cpuinfo: cpuinfo), !missing.isEmpty
        else { return }
        let message = "this build of symmetree needs an x86-64-v2 CPU (\(CPUBaseline.requiredFeatures.joined(separator: ", "))); "
            + "this CPU lacks \(missing.joined(separator: ", "))"
        fputs("symmetree: \(message)\n", stderr)
        if CommandLine.arguments.dropFirst().first == "train" {
            try? FileIO.writeAtomically(Array((message + "\n").utf8), to: TrainCommand.defaultRoot + "/output/failure")
        }
        Glibc.exit(1)
    }
}

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

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "SageMaker inference: GET /ping, POST /invocations on port 8080 ($SAGEMAKER_BIND_TO_PORT).")

    @Option(help: "Folder holding the model (default: $SM_MODEL_DIR, else /opt/ml/model).")
    var modelDir: String?

    @Option(help: "Port (default: $SAGEMAKER_BIND_TO_PORT, else 8080).")
    var port: UInt16?

    @Option(help: "I/O backend: auto, io_uring or epoll (default: $SYMMETREE_IO_BACKEND, else auto).")
    var backend: String?

    @Flag(help: "A multi-model endpoint: models load through POST /models (default: $SAGEMAKER_MULTI_MODEL).")
    var multiModel = false

    @Option(help: "Multi-model endpoints: megabytes of loaded models before 507 (default: $SYMMETREE_MODEL_MEMORY_BUDGET_MB, else 3/4 of the container's memory).")
    var modelMemoryBudgetMb: Int?

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var configuration: ServerConfiguration
        let logger: Logger
        do {
            configuration = try ServerConfiguration.fromEnvironment()
        } catch {
            throw fail(error.description)
        }
        do {
            logger = try OperationalLog.logger(label: "symmetree.serve")
        } catch {
            throw fail(error.message)
        }
        if let modelDir { configuration.modelDirectory = modelDir }
        if let port { configuration.port = port }
        if multiModel { configuration.multiModel = true }
        if let modelMemoryBudgetMb {
            guard modelMemoryBudgetMb > 0, modelMemoryBudgetMb <= Int.max >> 20 else { throw fail("--model-memory-budget-mb must be above 0") }
            configuration.modelMemoryBudgetBytes = modelMemoryBudgetMb << 20
        }
        if let backend {
            guard let preference = BackendPreference(rawValue: backend) else { throw fail("--backend must be auto, io_uring or epoll") }
            configuration.backend = preference
        }
        let server: RunningServer
        do {
            server = try InferenceService.start(configuration: configuration, logger: logger)
        } catch {
            throw fail(error.description)
        }
        ShutdownSignal.install(for: server)
        // Awaited, not joined: this runs on one of the cooperative pool's threads (one per
        // core), and the batcher needs them all.
        await server.stopped()
        logger.notice("Stopped")
    }
}

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// Reports a failure the way every subcommand does: one line on stderr, exit status 1.
func fail(_ message: String) -> ExitCode {
    var standardError = StandardError()
    print("symmetree: \(message)", to: &standardError)
    return ExitCode.failure
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { fputs(string, stderr) }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a headerless numeric CSV (no label column), one prediction per output line.")

    @Option(help: "Model file: Symmetree, CatBoost .cbm or CatBoost JSON.")
    var model: String

    @Option(help: "Input CSV, or - for standard input.")
    var input: String = "-"

    @Option(help: "Output file, or - for standard output.")
    var output: String = "-"

    func run() throws {
        let evaluator: Evaluator
        do {
            evaluator = Evaluator(try ModelLoader.load(path: model))
        } catch {
            throw fail(error.description)
        }
        let inputFD = input == "-" ? STDIN_FILENO : open(input, O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else { throw fail("cannot open \(input): \(String(cString: strerror(errno)))") }
        defer { if inputFD != STDIN_FILENO { close(inputFD) } }
        // Opening the output truncates it: refuse before that if it is the input or the model,
        // by device and inode, so another path or a link to the same file is caught too.
        if output != "-" {
            if FileIO.isSameRegularFile(output, fd: inputFD) {
                throw fail("--output \(output) is the input file \(input == "-" ? "(standard input)" : input); refusing to overwrite it")
            }
            if FileIO.isSameRegularFile(output, model) {
                throw fail("--output \(output) is the model file \(model); refusing to overwrite it")
            }
        }
        let outputFD = output == "-" ? STDOUT_FILENO : open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard outputFD >= 0 else { throw fail("cannot create \(output): \(String(cString: strerror(errno)))") }
        defer { if outputFD != STDOUT_FILENO { close(outputFD) } }
        do {
            _ = try BatchScoring.score(evaluator: evaluator, inputFD: inputFD, outputFD: outputFD)
        } catch {
            throw fail("\(input == "-" ? "stdin" : input): \(error.description)")
        }
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a model: trees, features, borders, bias.")

    @Option(help: "Model file: Symmetree, CatBoost .cbm or CatBoost JSON.")
    var model: String

    func run() throws {
        do {
            let bytes = try FileIO.readAll(path: model)
            let ensemble = try ModelLoader.load(path: model)
            print("format: \(ModelFormat.detect(bytes)?.rawValue ?? "unknown")")
            print(ensemble.summary)
        } catch {
            throw fail(error.description)
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model: to CatBoost JSON (which CatBoost loads) or to Symmetree's format.")

    @Option(help: "Model file: Symmetree, CatBoost .cbm or CatBoost JSON.")
    var model: String

    @Option(help: "Where to write the converted model.")
    var output: String

    @Option(help: "json (CatBoost JSON) or symmetree.")
    var format: String = "json"

    func run() throws {
        guard let target = ModelFormat(rawValue: format), target != .catBoostBinary else {
            throw fail("--format must be json or symmetree")
        }
        do {
            try ModelLoader.save(try ModelLoader.load(path: model), to: output, format: target)
        } catch {
            throw fail(error.description)
        }
    }
}
