#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
import Model

/// SageMaker's training contract (`IMAGE train`), under a root that is /opt/ml in production
/// and a temporary folder in tests:
///   input/config/hyperparameters.json, inputdataconfig.json, resourceconfig.json
///   input/data/training/ (every file, plain or gzip CSV), input/data/validation/ (optional)
///   model/ ← model.symmetree + model.json (CatBoost JSON)
///   output/data/ ← learn_error.tsv, test_error.tsv;  output/failure ← the reason on failure
///   checkpoints/ ← symmetree.checkpoint, resumed when present (or checkpointconfig.json's LocalPath)
public struct SageMakerTraining: Sendable {
    public var root: String
    /// The training log CatBoost writes (learning rate, per-iteration lines, bestTest) and
    /// SageMaker's `#quality_metric` lines, which metric definitions parse: printed as they are.
    public var log: @Sendable (String) -> Void
    /// Everything else: what was read, ignored, resumed, saved, and failures.
    public var logger: Logger

    public static let modelFileName = "model.symmetree"
    public static let catBoostModelFileName = "model.json"
    static let checkpointFileName = "symmetree.checkpoint"
    /// The channels read: `training` (or `train`, as the built-in XGBoost algorithm and the BYO
    /// CatBoost sample name it) and optional `validation`. Others are ignored with a log line.
    static let channels: Set<String> = ["training", "train", "validation"]

    public init(root: String, log: @escaping @Sendable (String) -> Void, logger: Logger) {
        self.logger = logger
        self.root = root
        self.log = log
    }

    /// SageMaker shows the first 1,024 characters of output/failure as the job's
    /// FailureReason (developer guide, "How Amazon SageMaker Provides Training Information").
    static let failureReasonCharactersMax = 1024

    /// The reason as SageMaker will show it: whole when it fits, else its start (where every
    /// message here names the cause) and a pointer to the log, which has all of it.
    static func failureText(_ reason: String) -> String {
        guard reason.count > failureReasonCharactersMax else { return reason }
        let pointer = " … (cut at \(failureReasonCharactersMax) characters; the job's log has the whole message)"
        return String(reason.prefix(failureReasonCharactersMax - pointer.count)) + pointer
    }

    func path(_ components: String...) -> String { ([root] + components).joined(separator: "/") }

    /// Runs the whole job; returns the process exit status (0 success, 1 failure written).
    ///
    /// Under mpirun this process is one rank of a multi-host job: rank 0 writes the failure
    /// file, with the reason of whichever rank failed. A failure every rank agreed on ends
    /// every rank normally; one that struck this rank alone (the others may be waiting in a
    /// collective) ends the whole job through MPI_Abort, after rank 0 has written its reason.
    public func run() async -> Int32 {
        var communicator: any Communicator = SingleProcess()
        let placement = MPIRankPlacement.fromEnvironment()
        do throws(TrainingError) {
            if placement == nil, let plan = try launchPlan() {
                logger.info("Multi-host job: \(plan.currentHost) of \(plan.hosts.joined(separator: ", "))")
                return MPILauncher(
                    plan: plan, failurePath: path("output", "failure"), logger: logger, waitSeconds: Self.hostWaitSeconds
                ).run()
            }
            if let placement, placement.rankCount > 1 { communicator = try MPICommunicator() }
            try await train(communicator: communicator, placement: placement ?? .single)
            recordOutcome(success: true, rank: communicator.rank)
            communicator.finish()
            return 0
        } catch {
            let reason = error.description
            if communicator.rank == 0 {
                logger.error("Training failed: \(reason)")
                makeDirectories(path("output"))
                try? FileIO.writeAtomically(Array((Self.failureText(reason) + "\n").utf8), to: path("output", "failure"))
            } else if !error.isAgreedByEveryRank {
                logger.error("Training failed on rank \(communicator.rank) of \(communicator.rankCount): \(reason)")
            }
            recordOutcome(success: false, rank: communicator.rank)
            if communicator.isDistributed, !error.isAgreedByEveryRank { communicator.abort(status: 1) }
            communicator.finish()
            return 1
        }
    }

    /// How long hosts of a multi-host job wait for each other (`SYMMETREE_MPI_WAIT_SECONDS`,
    /// default 10 minutes).
    static var hostWaitSeconds: Int {
        getenv("SYMMETREE_MPI_WAIT_SECONDS").flatMap { Int(String(cString: $0)) } ?? 600
    }

    /// This host's part of a multi-host job, or nil for one host.
    func launchPlan() throws(TrainingError) -> MPILaunchPlan? {
        var executable = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &executable, executable.count - 1)
        let path = length > 0 ? String(decoding: executable[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "symmetree"
        return try MPILaunchPlan.make(
            resourceConfig: try readJSON("resourceconfig.json", required: false), hyperparameters: try readHyperparameters(),
            executable: path, mlRoot: root)
    }

    /// Under a launcher (`SYMMETREE_OUTCOMES`, set through mpirun), each rank records how it
    /// ended, so a worker host's container can exit with the job's outcome.
    func recordOutcome(success: Bool, rank: Int) {
        guard let directory = getenv("SYMMETREE_OUTCOMES").map({ String(cString: $0) }) else { return }
        makeDirectories(directory)
        try? FileIO.writeAtomically(Array((success ? "0\n" : "1\n").utf8), to: "\(directory)/rank-\(rank)")
    }

    func train(communicator: any Communicator, placement: MPIRankPlacement) async throws(TrainingError) {
        let hyperparameters = try readHyperparameters()
        var parameters = try TrainingParameters(hyperparameters: hyperparameters)
        try checkInputDataConfig()
        let host = try checkResourceConfig(underMPI: communicator.isDistributed)
        let isWriter = communicator.rank == 0
        var logger = logger
        if !isWriter { logger.logLevel = max(logger.logLevel, .notice) }

        let trainingChannel = try trainingChannelName()
        var trainingFiles = try dataFiles(channel: trainingChannel, required: !communicator.isDistributed)
        if let index = try categoricalIndex(in: &trainingFiles, channel: trainingChannel) {
            parameters.categorical.declaration.csvColumns = index.csvColumns
        }
        logger.info("Loading \(trainingFiles.count) training file(s)")
        guard let learn = try loadShare(
            channel: trainingChannel, files: trainingFiles, parameters: parameters, communicator: communicator,
            placement: placement)
        else { throw TrainingError("the \(trainingChannel) channel holds no files on any host") }
        var validationFiles = try dataFiles(channel: "validation", required: false)
        _ = try categoricalIndex(in: &validationFiles, channel: "validation")
        let eval = try loadShare(
            channel: "validation", files: validationFiles, parameters: parameters, communicator: communicator,
            placement: placement)
        if let eval, eval.categoricalFeatures != learn.categoricalFeatures {
            throw TrainingError("the validation data's categorical features \(eval.categoricalFeatures) differ from the training data's \(learn.categoricalFeatures)")
        }
        if learn.hasCategoricalFeatures {
            logger.info("Categorical features (CatBoost's indexes, label not counted): \(learn.categoricalFeatures.map(String.init).joined(separator: ", "))")
        }
        let validationRows = eval.map { ", validation rows: \($0.rowCount)" } ?? ""
        logger.info("Training rows: \(learn.rowCount), features: \(learn.featureCount)\(validationRows)")

        let fingerprint = Checkpoint.fingerprint(
            hyperparameters: hyperparameters, learn: learn, communicator: communicator)
        let checkpointsDirectory = try checkpointsDirectoryPath()
        let checkpointPath = checkpointsDirectory + "/" + Self.checkpointFileName
        let resume = resumableProgress(at: checkpointPath, fingerprint: fingerprint, communicator: communicator)
        // Only rank 0 prints the training log and its metric lines.
        var writerLog = self.log
        if !isWriter { writerLog = { (_: String) in } }
        var booster = Booster(
            parameters: parameters, log: writerLog, shouldStop: { TerminationSignal.wasReceived },
            checkpoint: { (progress) throws(TrainingError) in
                makeDirectories(checkpointsDirectory)
                do throws(ModelError) {
                    try FileIO.writeAtomically(Checkpoint.encode(progress, fingerprint: fingerprint), to: checkpointPath)
                } catch {
                    throw TrainingError("cannot write checkpoint \(checkpointPath): \(error.description)")
                }
            })
        // Only rank 0 writes checkpoints (as it writes every other file of the job).
        if !isWriter { booster.checkpoint = nil }
        booster.hostName = host
        booster.communicator = communicator
        let result = try await booster.train(learn: learn, eval: eval, resumeFrom: resume)
        if communicator.isDistributed {
            let treeCount = max(1, result.learnHistory.count - (resume?.learnHistory.count ?? 0))
            let bytes = communicator.allReducedByteCount
            logger.info("All-reduced \(bytes) bytes per rank over \(treeCount) trees (\(bytes / treeCount) per tree)")
            logger.notice("Rank \(communicator.rank): \(formatFixed(communicator.collectiveSeconds, decimals: 2)) s in collectives (waiting for slower ranks included)")
        }
        try finish(result, checkpointPath: checkpointPath, fingerprint: fingerprint, isWriter: isWriter)
    }

    /// The checkpoint to resume from, if one matches: rank 0 reads it and sends it to all, so
    /// every rank resumes from the same trees.
    func resumableProgress(at checkpointPath: String, fingerprint: UInt64, communicator: any Communicator) -> TrainingProgress? {
        var bytes = communicator.rank == 0 ? (try? FileIO.readAll(path: checkpointPath)) ?? [] : []
        if communicator.isDistributed { bytes = communicator.allGather(bytes)[0] }
        guard !bytes.isEmpty else { return nil }
        do {
            return try Checkpoint.decode(bytes, fingerprint: fingerprint)
        } catch {
            logger.warning("Ignoring checkpoint \(checkpointPath): \(error.description)")
            return nil
        }
    }

    /// After training: on SIGTERM keep the checkpoint and fail unless save_model_on_terminate;
    /// then (rank 0) write the model and learning curves.
    func finish(_ result: TrainingResult, checkpointPath: String, fingerprint: UInt64, isWriter: Bool) throws(TrainingError) {
        if let reason = result.stopReason, result.wasTerminated {
            // Keep the work for a restarted (spot) job before deciding what this one reports.
            if isWriter {
                makeDirectories(String(checkpointPath[..<(checkpointPath.lastIndex(of: "/") ?? checkpointPath.endIndex)]))
                try? FileIO.writeAtomically(Checkpoint.encode(result.progress, fingerprint: fingerprint), to: checkpointPath)
            }
            guard result.parameters.saveModelOnTerminate else {
                // Every rank stopped at the same iteration with the same parameters.
                var stopped = TrainingError(
                    "training was \(reason); no model was written (set save_model_on_terminate=true to keep the partial model)")
                stopped.isAgreedByEveryRank = true
                throw stopped
            }
            logger.info("Saving the model trained so far (\(reason))")
        }
        if isWriter { try writeOutputs(result) }
    }

    func writeOutputs(_ result: TrainingResult) throws(TrainingError) {
        makeDirectories(path("model"))
        makeDirectories(path("output", "data"))
        do {
            try ModelLoader.save(result.ensemble, to: path("model", Self.catBoostModelFileName), format: .catBoostJSON)
            try ModelLoader.save(result.ensemble, to: path("model", Self.modelFileName), format: .symmetree)
            let metricName = result.parameters.evalMetric!.name
            try FileIO.writeAtomically(
                curve(result.learnHistory, name: Metric.loss(result.parameters.lossFunction).name),
                to: path("output", "data", "learn_error.tsv"))
            if !result.evalHistory.isEmpty {
                try FileIO.writeAtomically(curve(result.evalHistory, name: metricName), to: path("output", "data", "test_error.tsv"))
            }
        } catch {
            throw TrainingError("cannot write the model or learning curves: \(error.description)")
        }
        logger.info("Model written to \(path("model")) (\(result.ensemble.trees.count) trees)")
    }

    private func curve(_ history: [Double], name: String) -> [UInt8] {
        var text = "iter\t\(name)\n"
        for (iteration, value) in history.enumerated() { text += "\(iteration)\t\(value)\n" }
        return Array(text.utf8)
    }

    // MARK: - Contract files

    func readJSON(_ file: String, required: Bool) throws(TrainingError) -> JSONValue? {
        let full = path("input", "config", file)
        guard access(full, F_OK) == 0 else {
            if required { throw TrainingError("\(full) is missing") }
            return nil
        }
        do {
            return try JSONValue.parse(try FileIO.readAll(path: full))
        } catch {
            throw TrainingError("\(full) is not valid JSON: \(error)")
        }
    }

    func readHyperparameters() throws(TrainingError) -> [String: String] {
        guard let document = try readJSON("hyperparameters.json", required: false) else { return [:] }
        guard case .object(let members) = document else {
            throw TrainingError("hyperparameters.json must hold a JSON object of name → string")
        }
        var result: [String: String] = [:]
        for (key, value) in members {
            switch value {
            case .string(let text): result[key] = text
            case .number(let number): result[key] = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
            case .bool(let flag): result[key] = flag ? "true" : "false"
            default: throw TrainingError("hyperparameter \(key) must be a string (SageMaker passes every value as a string)")
            }
        }
        return result
    }

    func checkInputDataConfig() throws(TrainingError) {
        guard case .object(let channels)? = try readJSON("inputdataconfig.json", required: false) else { return }
        for (name, config) in channels {
            guard Self.channels.contains(name) else {
                // A pipeline may pass channels meant for other steps; failing the job would stop it.
                logger.notice("Ignoring input channel '\(name)': this algorithm reads 'training' (or 'train') and optional 'validation'")
                continue
            }
            if let mode = config["TrainingInputMode"]?.stringValue, mode != "File", mode != "FastFile" {
                throw TrainingError("channel \(name): TrainingInputMode \(mode) is not supported; use File or FastFile")
            }
            if let type = config["ContentType"]?.stringValue {
                let base = type.split(separator: ";").first.map { String($0).trimmingWhitespace.lowercased() } ?? ""
                guard ["text/csv", "application/x-csv", "csv"].contains(base) else {
                    throw TrainingError("channel \(name): ContentType \(type) is not supported; use text/csv")
                }
            }
        }
    }

    /// Where checkpoints are kept: checkpointconfig.json's LocalPath when the job sets one
    /// (developer guide, "Checkpoints in Amazon SageMaker"; SageMaker syncs that folder with
    /// the job's S3 checkpoint location), else /opt/ml/checkpoints.
    func checkpointsDirectoryPath() throws(TrainingError) -> String {
        guard let local = try readJSON("checkpointconfig.json", required: false)?["LocalPath"] else {
            return path("checkpoints")
        }
        guard let directory = local.stringValue, directory.hasPrefix("/") else {
            throw TrainingError("checkpointconfig.json: LocalPath must be an absolute path, got \(local)")
        }
        return directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// `training`, or `train` when only that folder exists; both at once is ambiguous.
    func trainingChannelName() throws(TrainingError) -> String {
        var status = stat()
        let hasTraining = stat(path("input", "data", "training"), &status) == 0
        let hasTrain = stat(path("input", "data", "train"), &status) == 0
        if hasTraining, hasTrain {
            throw TrainingError("both a 'training' and a 'train' channel: give the training data one channel")
        }
        return hasTrain ? "train" : "training"
    }

    /// The host name SageMaker gave this container (`current_host`), if any. A job of several
    /// hosts trains as ranks of `mpirun`; a process of such a job not started by mpirun is
    /// refused here (`symmetree train` starts mpirun itself before it gets this far).
    func checkResourceConfig(underMPI: Bool) throws(TrainingError) -> String? {
        guard let config = try readJSON("resourceconfig.json", required: false) else { return nil }
        if let hosts = config["hosts"]?.arrayValue, hosts.count > 1, !underMPI {
            throw TrainingError(
                "this job has \(hosts.count) hosts, but this process was not started by mpirun: multi-host training runs as "
                    + "the ranks of one mpirun job (the image's `symmetree train` launches it on \(hosts.first?.stringValue ?? "algo-1"))")
        }
        return config["current_host"]?.stringValue
    }

    /// SageMaker's built-in CatBoost and LightGBM algorithms read the categorical columns from a
    /// file named `categorical_index.json` beside the training data (developer guide, "Input and
    /// Output interface for the CatBoost algorithm"): it is taken out of `files` (it is not CSV)
    /// and parsed; a second one is an error. In the validation channel it is ignored.
    func categoricalIndex(in files: inout [String], channel: String) throws(TrainingError) -> CategoricalDeclaration? {
        let name = "categorical_index.json"
        let found = files.filter { $0 == name || $0.hasSuffix("/" + name) }
        guard !found.isEmpty else { return nil }
        files.removeAll { found.contains($0) }
        if channel == "validation" {
            logger.notice("Ignoring \(found.joined(separator: ", ")): the training channel's categorical_index.json declares the categorical columns")
            return nil
        }
        guard found.count == 1 else {
            throw TrainingError("the \(channel) channel holds \(found.count) categorical_index.json files (\(found.joined(separator: ", "))); give exactly one")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readAll(path: found[0])
        } catch {
            throw TrainingError("cannot read \(found[0]): \(error.description)")
        }
        if files.isEmpty { throw TrainingError("the \(channel) channel holds only \(found[0]) and no CSV data") }
        return try CategoricalDeclaration(categoricalIndexJSON: bytes, path: found[0])
    }

    /// Every regular file under the channel's folder (recursively, each once, sorted), skipping
    /// hidden files. What is not a regular file is never read: it fails the job when the channel
    /// holds nothing else, and is named in the log otherwise.
    func dataFiles(channel: String, required: Bool) throws(TrainingError) -> [String] {
        let directory = path("input", "data", channel)
        var status = stat()
        guard stat(directory, &status) == 0 else {
            let reason = errno
            if reason == ENOENT, !required { return [] }
            if reason == ENOENT { throw TrainingError("the \(channel) channel \(directory) is missing") }
            throw TrainingError("cannot read the \(channel) channel \(directory): \(String(cString: strerror(reason)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw TrainingError("the \(channel) channel \(directory) is not a directory")
        }
        let listing = FileTreeListing(directory: directory)
        if listing.files.isEmpty, !listing.nonRegular.isEmpty {
            throw TrainingError(
                "the \(channel) channel \(directory) holds no regular files, only: \(listing.nonRegular.joined(separator: ", "))")
        }
        if !listing.nonRegular.isEmpty {
            logger.warning("Skipping what is not a regular file in the \(channel) channel: \(listing.nonRegular.joined(separator: ", "))")
        }
        if required, listing.files.isEmpty { throw TrainingError("the \(channel) channel \(directory) holds no files") }
        return listing.files
    }
}

/// `mkdir -p`: creates every missing folder on the way (existing ones are fine).
func makeDirectories(_ path: String) {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        current += "/" + component
        mkdir(current, 0o755)
    }
}
