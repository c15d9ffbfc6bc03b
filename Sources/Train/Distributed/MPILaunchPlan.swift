import Model

/// What `symmetree train` does on one host of a multi-host SageMaker job, decided from
/// resourceconfig.json and the hyperparameters alone (no processes), the way the SageMaker
/// training toolkit's MPI runners decide it (sagemaker_training/mpi.py: `MasterRunner` on the
/// first host, `WorkerRunner` on the others):
/// - the leader (the first host in sorted order, `algo-1`) waits until every worker accepts
///   ssh, then runs `mpirun` over all hosts, this binary as every rank;
/// - a worker starts sshd and waits for the leader's mpirun to start its ranks (through
///   Open MPI's `orted`) and for them to finish.
struct MPILaunchPlan: Equatable, Sendable {
    enum Role: Equatable, Sendable {
        /// Run `mpirun` with these arguments after `workers` accept connections on port 22.
        case leader(workers: [String], mpirunArguments: [String])
        /// Serve ssh until the job's ranks on this host have finished.
        case worker(leader: String)
    }

    let role: Role
    let hosts: [String]
    let currentHost: String

    /// The toolkit's hyperparameter for ranks per host (default 1: one rank per host, its
    /// threads set by `thread_count`).
    static let processesPerHostKey = "sagemaker_mpi_num_of_processes_per_host"
    /// The toolkit's hyperparameter for further mpirun options, split at spaces.
    static let customOptionsKey = "sagemaker_mpi_custom_mpi_options"
    /// The directory where each rank records how it ended, read by a worker's launcher (its
    /// container's exit status is the job's outcome).
    static let outcomeDirectory = "/tmp/symmetree-mpi-outcomes"

    /// The plan for this host, or nil for a one-host job.
    static func make(
        resourceConfig: JSONValue?, hyperparameters: [String: String], executable: String, mlRoot: String
    ) throws(TrainingError) -> MPILaunchPlan? {
        guard let config = resourceConfig, let listed = config["hosts"]?.arrayValue, listed.count > 1 else { return nil }
        let hosts = listed.compactMap(\.stringValue).sorted()
        guard hosts.count == listed.count, let current = config["current_host"]?.stringValue, hosts.contains(current) else {
            throw TrainingError("resourceconfig.json: `hosts` must list host names and `current_host` must be one of them")
        }
        let leader = hosts[0]
        guard current == leader else { return MPILaunchPlan(role: .worker(leader: leader), hosts: hosts, currentHost: current) }
        let perHost = try processesPerHost(hyperparameters)
        let interface = config["network_interface_name"]?.stringValue ?? "eth0"
        var arguments = [
            "--allow-run-as-root", "--host", hosts.map { "\($0):\(perHost)" }.joined(separator: ","), "-np", "\(perHost * hosts.count)",
            // Open MPI's TCP transports on SageMaker's own interface; ranks started by ssh from
            // the leader alone (no tree spawn through the workers), as the toolkit runs it.
            "-mca", "btl_tcp_if_include", interface, "-mca", "oob_tcp_if_include", interface,
            "-mca", "plm_rsh_no_tree_spawn", "1", "-mca", "btl", "^openib",
            // One rank's non-zero exit ends the job on every host (a rank that died without agreeing).
            "-mca", "orte_abort_on_non_zero_status", "1",
            // Each rank runs its own thread pool (`thread_count`); binding it to one core would starve it.
            "--bind-to", "none", "--tag-output",
            "-x", "PATH", "-x", "SYMMETREE_OUTCOMES=\(outcomeDirectory)",
            // One malloc arena. A rank's training runs on a thread of its own, whose glibc arena
            // lives in 64 MB sub-heaps that are unmapped whenever their blocks are all freed, so
            // every tree's arrays faulted their pages in again: ~10% of a rank's time on 1M × 30
            // rows (perf, 2 ranks). It must be in the environment at start: glibc reads it once.
            "-x", "MALLOC_ARENA_MAX=1",
        ]
        arguments += (hyperparameters[customOptionsKey] ?? "").split(separator: " ").map(String.init)
        arguments += [executable, "train", "--ml-root", mlRoot]
        return MPILaunchPlan(
            role: .leader(workers: Array(hosts.dropFirst()), mpirunArguments: arguments), hosts: hosts, currentHost: current)
    }

    static func processesPerHost(_ hyperparameters: [String: String]) throws(TrainingError) -> Int {
        guard let text = hyperparameters[processesPerHostKey] else { return 1 }
        guard let count = Int(text.trimmingWhitespace), count >= 1, count <= 1024 else {
            throw TrainingError("\(processesPerHostKey) must be a whole number from 1 to 1024, got '\(text)'")
        }
        return count
    }
}
