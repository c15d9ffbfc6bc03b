#if canImport(Glibc)
import Glibc
#endif

/// Whether another host of the job is up: its name resolves (SageMaker's DNS for `algo-N`
/// can lag the container's start, so both steps are retried) and it accepts TCP connections
/// on a port (sshd's 22), as the toolkit's `_can_connect` checks before mpirun.
enum HostProbe {
    static func accepts(host: String, port: UInt16) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { return false }
        defer { freeaddrinfo(first) }
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let candidate = address {
            let socketDescriptor = socket(candidate.pointee.ai_family, candidate.pointee.ai_socktype, candidate.pointee.ai_protocol)
            if socketDescriptor >= 0 {
                defer { close(socketDescriptor) }
                if connect(socketDescriptor, candidate.pointee.ai_addr, candidate.pointee.ai_addrlen) == 0 { return true }
            }
            address = candidate.pointee.ai_next
        }
        return false
    }

    /// Retries `accepts` every second until it holds, `timeoutSeconds` pass or `shouldStop`
    /// (SIGTERM while waiting) says to give up.
    static func waitUntilAccepting(host: String, port: UInt16, timeoutSeconds: Int, shouldStop: () -> Bool) -> Bool {
        for _ in 0...max(0, timeoutSeconds) {
            if accepts(host: host, port: port) { return true }
            if shouldStop() { return false }
            sleep(1)
        }
        return false
    }
}
