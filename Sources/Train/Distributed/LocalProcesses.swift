#if canImport(Glibc)
import Glibc
#endif

/// The processes of this container, read from /proc: Open MPI's `orted` (the daemon through
/// which the leader's mpirun starts a worker's ranks) and the ranks themselves (every process
/// mpirun starts carries `OMPI_COMM_WORLD_RANK` in its environment).
enum LocalProcesses {
    /// Live processes named `name` (a zombie, ended but not yet reaped, does not count).
    static func pids(named name: String) -> [pid_t] {
        allPids().filter { pid in
            String(decoding: read("/proc/\(pid)/comm"), as: UTF8.self).trimmingWhitespace == name && !isZombie(pid)
        }
    }

    /// Reaps every ended child without blocking. The launcher is PID 1 of its container, so
    /// orphans are handed to it (orted, once its ssh session closes) and it must reap them.
    static func reapEndedChildren() {
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
    }

    /// State Z in /proc/<pid>/stat (the field after the parenthesised command name).
    private static func isZombie(_ pid: pid_t) -> Bool {
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")), close + 2 < stat.count else { return false }
        return stat[close + 2] == UInt8(ascii: "Z")
    }

    static func rankPids() -> [pid_t] {
        allPids().filter { pid in
            read("/proc/\(pid)/environ").split(separator: 0).contains { $0.starts(with: Array("OMPI_COMM_WORLD_RANK=".utf8)) }
        }
    }

    /// SIGTERM to every rank on this host: each finishes its tree, and the ranks agree to stop
    /// together (`Booster`'s agreed stop), so rank 0 can checkpoint. (SIGTERM to orted or mpirun
    /// would have Open MPI kill the ranks outright after its own timeout.)
    static func terminateRanks() {
        for pid in rankPids() { kill(pid, SIGTERM) }
    }

    private static func allPids() -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = pid_t(name), pid != getpid() { pids.append(pid) }
        }
        return pids
    }

    /// A /proc file's bytes (its size reads as 0, so it is read to the end); empty if gone.
    private static func read(_ path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return bytes }
            bytes += chunk[0..<count]
        }
    }
}
