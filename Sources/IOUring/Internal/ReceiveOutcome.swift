#if canImport(Glibc)
import Glibc
#endif

/// How a receive ended (recv(2), or an io_uring receive completion): a closed set the backends
/// switch over. Errnos that can only mean a bug (EFAULT, EBADF, ENOTSOCK; EINVAL, a malformed
/// request) stop the process; every other errno means the connection is broken.
enum ReceiveOutcome: OperationOutcome, Equatable {
    case received(byteCount: Int)
    /// The peer closed its side.
    case endOfFile
    /// Nothing to read now (EAGAIN after a spurious readiness; EINTR): read again later.
    case retry
    /// The provided buffers ran out (ENOBUFS from a buffer-selecting io_uring receive).
    case buffersExhausted
    /// io_uring ended the request (ECANCELED), not the connection.
    case cancelled
    /// The connection is broken: ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENOTCONN, ENOMEM, …
    case failed(Errno)

    init(result: Int, errno code: Int32) {
        if result > 0 {
            self = .received(byteCount: result)
            return
        }
        if result == 0 {
            self = .endOfFile
            return
        }
        precondition(!SystemCall.isBug(code) && code != EINVAL, "recv: \(Errno(code)), which can only be a bug in the event loop")
        switch code {
        case EAGAIN, EINTR: self = .retry
        case ENOBUFS: self = .buffersExhausted
        case ECANCELED: self = .cancelled
        default: self = .failed(Errno(code))
        }
    }
}
