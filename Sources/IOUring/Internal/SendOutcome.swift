#if canImport(Glibc)
import Glibc
#endif

/// How a send ended (send(2), or an io_uring send completion): a closed set the backends switch
/// over. Errnos that can only mean a bug (EFAULT, EBADF, ENOTSOCK; EINVAL, EMSGSIZE, EISCONN,
/// EDESTADDRREQ and EOPNOTSUPP, which a connected stream socket sent to with MSG_NOSIGNAL never
/// returns otherwise) stop the process; every other errno means the connection is broken.
enum SendOutcome: OperationOutcome, Equatable {
    /// How many bytes the kernel took: at least one, perhaps fewer than asked (the socket's
    /// buffer filled).
    case sent(byteCount: Int)
    /// The socket's buffer is full (EAGAIN), or a signal interrupted the call (EINTR).
    case retry
    /// The connection is broken: EPIPE, ECONNRESET, ETIMEDOUT, ENOTCONN, ECANCELED, ENOBUFS, …
    case failed(Errno)

    init(result: Int, errno code: Int32) {
        if result > 0 {
            self = .sent(byteCount: result)
            return
        }
        precondition(result < 0, "send returned 0 for a non-empty buffer")
        precondition(
            !SystemCall.isBug(code) && ![EINVAL, EMSGSIZE, EISCONN, EDESTADDRREQ, EOPNOTSUPP].contains(code),
            "send: \(Errno(code)), which can only be a bug in the event loop")
        switch code {
        case EAGAIN, EINTR: self = .retry
        default: self = .failed(Errno(code))
        }
    }
}
