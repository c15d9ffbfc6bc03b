#if canImport(Glibc)
import Glibc
#endif

/// A program the launcher starts (sshd, mpirun) and waits for, with the launcher's environment.
struct ChildProcess: Sendable {
    let pid: pid_t

    /// posix_spawnp of `arguments` (the first is the program, looked up in PATH).
    init(_ arguments: [String]) throws(TrainingError) {
        precondition(!arguments.isEmpty, "a program to run")
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], nil, nil, &argv, environ)
        guard status == 0 else {
            throw TrainingError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        self.pid = pid
    }

    /// The exit status once the child has ended (128 + n for a signal, as shells report it), or
    /// nil while it runs.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result < 0 ? 1 : nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Polls until the child ends, calling `tick` every `interval` seconds meanwhile.
    func wait(interval: Double = 0.2, tick: () -> Void = {}) -> Int32 {
        while true {
            if let status = exitStatus() { return status }
            tick()
            usleep(UInt32(interval * 1_000_000))
        }
    }
}
