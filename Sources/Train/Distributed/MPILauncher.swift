#if canImport(Glibc)
import Glibc
#endif
import Logging
import Model

/// Carries out this host's part of an `MPILaunchPlan`. Every container's exit status is the
/// job's outcome: the leader's is mpirun's; a worker's says whether every rank it hosted
/// finished well (each records it in `MPILaunchPlan.outcomeDirectory`). SIGTERM to either is
/// passed to the ranks on that host, which stop the whole job together.
struct MPILauncher {
    let plan: MPILaunchPlan
    /// Where the leader writes the failure file when mpirun fails before rank 0 could.
    let failurePath: String
    let logger: Logger
    /// How long the leader waits for the workers' sshd and a worker for the leader's ranks.
    /// The toolkit waits an hour for workers; SageMaker starts every host of a job together.
    let waitSeconds: Int

    func run() -> Int32 {
        switch plan.role {
        case .leader(let workers, let arguments): lead(workers: workers, mpirunArguments: arguments)
        case .worker(let leader): work(leader: leader)
        }
    }

    private func lead(workers: [String], mpirunArguments: [String]) -> Int32 {
        for worker in workers {
            logger.info("Waiting for \(worker) to accept ssh (port 22)")
            guard
                HostProbe.waitUntilAccepting(
                    host: worker, port: 22, timeoutSeconds: waitSeconds, shouldStop: { TerminationSignal.wasReceived })
            else {
                if TerminationSignal.wasReceived { return fail("stopped by SIGTERM while waiting for \(worker); no rank had started") }
                return fail("host \(worker) did not accept ssh on port 22 within \(waitSeconds) s; multi-host training needs sshd in the image (see the README)")
            }
        }
        logger.info("Starting mpirun \(mpirunArguments.joined(separator: " "))")
        let mpirun: ChildProcess
        do {
            mpirun = try ChildProcess(["mpirun"] + mpirunArguments)
        } catch {
            return fail("\(error.description); multi-host training needs Open MPI's mpirun (Debian's openmpi-bin) in the image")
        }
        var forwarded = false
        let status = mpirun.wait {
            if TerminationSignal.wasReceived, !forwarded {
                forwarded = true
                LocalProcesses.terminateRanks()
            }
        }
        guard status != 0 else { return 0 }
        if access(failurePath, F_OK) != 0 {
            return fail("mpirun ended with status \(status) before rank 0 could write a reason: a rank died (the job's log has each rank's output, tagged [job,rank])")
        }
        return 1
    }

    private func work(leader: String) -> Int32 {
        removeOutcomes()
        let sshd: ChildProcess
        do {
            sshd = try ChildProcess(["/usr/sbin/sshd", "-D", "-e"])
        } catch {
            return fail("\(error.description): a worker host serves ssh for the leader's mpirun; install openssh-server in the image")
        }
        defer { kill(sshd.pid, SIGTERM) }
        logger.info("Serving ssh for \(leader)'s mpirun; waiting for this host's ranks")
        var waited = 0
        while LocalProcesses.pids(named: "orted").isEmpty {
            guard waited < waitSeconds * 5, !TerminationSignal.wasReceived else {
                return fail("\(leader) started no ranks on this host within \(waitSeconds) s")
            }
            usleep(200_000)
            waited += 1
        }
        var forwarded = false
        while !LocalProcesses.pids(named: "orted").isEmpty {
            LocalProcesses.reapEndedChildren()
            if TerminationSignal.wasReceived, !forwarded {
                forwarded = true
                LocalProcesses.terminateRanks()
            }
            usleep(200_000)
        }
        return outcome()
    }

    /// 0 when every rank this host ran recorded success, else 1.
    private func outcome() -> Int32 {
        guard let directory = opendir(MPILaunchPlan.outcomeDirectory) else { return fail("no rank recorded its outcome on this host") }
        defer { closedir(directory) }
        var recorded = 0
        var failed = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("rank-") else { continue }
            recorded += 1
            let bytes = (try? FileIO.readAll(path: MPILaunchPlan.outcomeDirectory + "/" + name)) ?? []
            if bytes.first != UInt8(ascii: "0") { failed += 1 }
        }
        guard recorded > 0 else { return fail("no rank recorded its outcome on this host") }
        if failed > 0 { logger.error("\(failed) of this host's \(recorded) rank(s) failed; algo-1's failure file has the reason") }
        return failed == 0 ? 0 : 1
    }

    private func removeOutcomes() {
        guard let directory = opendir(MPILaunchPlan.outcomeDirectory) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("rank-") { unlink(MPILaunchPlan.outcomeDirectory + "/" + name) }
        }
    }

    /// Logs `reason`; the leader also writes it as the job's failure.
    private func fail(_ reason: String) -> Int32 {
        logger.error("Multi-host training failed on \(plan.currentHost): \(reason)")
        if case .leader = plan.role {
            try? FileIO.writeAtomically(Array((SageMakerTraining.failureText(reason) + "\n").utf8), to: failurePath)
        }
        return 1
    }
}
