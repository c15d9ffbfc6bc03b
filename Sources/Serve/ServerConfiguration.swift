#if canImport(Glibc)
@preconcurrency import Glibc
#endif
public import IOUring

/// Everything `symmetree serve` can be told, with SageMaker's defaults.
public struct ServerConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port: UInt16 = 8080
    public var modelDirectory = "/opt/ml/model"
    public var backend = BackendPreference.auto
    public var limits = HTTPLimits()
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeoutSeconds = 65.0
    /// A request whose headers and body take longer than this gets 408 (slow clients).
    public var requestTimeoutSeconds = 30.0
    /// SAGEMAKER_MODEL_SERVER_TIMEOUT: longest an invocation may wait for the model (504 after).
    public var modelServerTimeoutSeconds = 60.0
    /// Bodies up to this size are decoded and evaluated on the I/O thread when the batcher is
    /// idle (~100 rows of 30 features; about 100 µs of work).
    public var inlineBodyBytesMax = 16 * 1024
    /// Body bytes per batcher pass (a pass decodes, then evaluates all its rows at once).
    public var batchByteBudget = 8 * 1024 * 1024
    /// Cores a large request's decoding and evaluation are split over.
    public var parallelism = ServerConfiguration.onlineProcessorCount
    /// After SIGTERM, in-flight requests get this long to finish: well inside the 30 s
    /// SageMaker waits before SIGKILL when it stops an endpoint or a transform job.
    public var drainTimeoutSeconds = 20.0
    /// The answer format when an invocation has no Accept or `*/*`
    /// (SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT); nil answers in the request's own format.
    public var defaultAccept: PayloadFormat?
    /// A connection whose unsent answers pass this many bytes is not read, and its next
    /// request not answered, until they are all sent: a client that pipelines requests and
    /// never reads holds at most this much (plus one answer) of the server's memory.
    public var queuedOutputBytesMax = 32 * 1024
    /// Each loop turn answers every connection's first request, and at most this many more
    /// (pipelined behind one, or left over from an earlier turn). The rest wait for the next
    /// turn, so a crowd of pipelining clients cannot stretch a turn, and with it every other
    /// client's wait, past a few hundred microseconds.
    public var pipelinedRequestsPerTurn = 64
    /// The kernel send buffer (SO_SNDBUF; Linux books twice this) of a connection that
    /// pipelines past a turn's share or backs up. Autotuned, it grows to 4 MiB
    /// (net.ipv4.tcp_wmem), and a client that pipelines and never reads has the server answer
    /// that much before backpressure starts: 100 such clients kept both cores busy for
    /// seconds. Set for every connection it cost 1-row requests 5-15% (wrk, 16 connections),
    /// so request-response clients keep autotuning. nil: never set.
    public var pipeliningSendBufferBytes: Int32? = 16 * 1024
    /// Makes one io_uring set-up step fail (tests of the epoll fallback).
    package var ioUringSetupFailure: URingSetupFailure?
    public var maxConcurrentTransforms = ServerConfiguration.onlineProcessorCount
    /// A multi-model endpoint (SAGEMAKER_MULTI_MODEL=true): models are loaded and unloaded
    /// through `/models` and invoked at `/models/{name}/invoke`; /opt/ml/model is not read.
    public var multiModel = false
    /// Bytes of loaded models a multi-model endpoint holds before answering 507
    /// (SYMMETREE_MODEL_MEMORY_BUDGET_MB); nil: `MemoryBudget.defaultBytes()`.
    public var modelMemoryBudgetBytes: Int?
    /// Models per `GET /models` page when the request names no `page_size`.
    public var modelListPageSize = 100

    static var onlineProcessorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    public init() {}

    /// SageMaker's environment: SAGEMAKER_BIND_TO_PORT, SAGEMAKER_MODEL_SERVER_TIMEOUT,
    /// SAGEMAKER_MAX_PAYLOAD_IN_MB (batch transform, ≤ 100; 0, batch transform's setting for
    /// streamed records, takes bodies up to 100 MB, chunked or not),
    /// SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, SYMMETREE_IO_BACKEND, SM_MODEL_DIR,
    /// SAGEMAKER_MULTI_MODEL, SYMMETREE_MODEL_MEMORY_BUDGET_MB.
    public static func fromEnvironment() throws(ServeError) -> ServerConfiguration {
        try fromEnvironment { getenv($0).map { String(cString: $0) } }
    }

    /// The longest SAGEMAKER_MODEL_SERVER_TIMEOUT taken: a week. SageMaker's own invocation
    /// limits stop far below it (60 s real-time, 3,600 s batch transform).
    public static let modelServerTimeoutSecondsMax = 7.0 * 24 * 3600

    /// `fromEnvironment` over any lookup (tests pass a dictionary's).
    public static func fromEnvironment(_ value: (String) -> String?) throws(ServeError) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let port = value("SAGEMAKER_BIND_TO_PORT") {
            guard let parsed = UInt16(port), parsed > 0 else { throw ServeError("SAGEMAKER_BIND_TO_PORT=\(port) is not a port number (1…65535)") }
            configuration.port = parsed
        }
        if let timeout = value("SAGEMAKER_MODEL_SERVER_TIMEOUT") {
            // `Double` reads "inf", "nan" and "1e300": each passes `> 0` or fails oddly later.
            guard let seconds = Double(timeout), seconds.isFinite, seconds > 0, seconds <= modelServerTimeoutSecondsMax else {
                throw ServeError(
                    "SAGEMAKER_MODEL_SERVER_TIMEOUT=\(timeout) is not a number of seconds in (0, \(Int(modelServerTimeoutSecondsMax))]")
            }
            configuration.modelServerTimeoutSeconds = seconds
        }
        if let payload = value("SAGEMAKER_MAX_PAYLOAD_IN_MB") {
            guard let megabytes = Int(payload), megabytes >= 0, megabytes <= 100 else {
                throw ServeError("SAGEMAKER_MAX_PAYLOAD_IN_MB=\(payload) must be a whole number of megabytes, 0…100")
            }
            configuration.limits.bodyBytesMax = (megabytes == 0 ? 100 : megabytes) * 1024 * 1024
        }
        if let accept = value("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") {
            guard let format = PayloadFormat(mediaType: accept), format.canAnswer else {
                throw ServeError(
                    "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT=\(accept): use one of \(PayloadFormat.answerTypesList)")
            }
            configuration.defaultAccept = format
        }
        if let backend = value("SYMMETREE_IO_BACKEND") {
            guard let parsed = BackendPreference(rawValue: backend) else {
                throw ServeError("SYMMETREE_IO_BACKEND=\(backend): use auto, io_uring or epoll")
            }
            configuration.backend = parsed
        }
        if let directory = value("SM_MODEL_DIR") { configuration.modelDirectory = directory }
        if let multiModel = value("SAGEMAKER_MULTI_MODEL") {
            switch multiModel.lowercased() {
            case "true", "1": configuration.multiModel = true
            case "false", "0", "": configuration.multiModel = false
            default: throw ServeError("SAGEMAKER_MULTI_MODEL=\(multiModel): use true or false")
            }
        }
        if let budget = value("SYMMETREE_MODEL_MEMORY_BUDGET_MB") {
            guard let megabytes = Int(budget), megabytes > 0, megabytes <= Int.max >> 20 else {
                throw ServeError("SYMMETREE_MODEL_MEMORY_BUDGET_MB=\(budget) must be a whole number of megabytes above 0")
            }
            configuration.modelMemoryBudgetBytes = megabytes << 20
        }
        return configuration
    }
}
