import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

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
