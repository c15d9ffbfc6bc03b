#if canImport(Glibc)
import Glibc
#endif

/// What a failed accept means for the accepting loop, by errno (accept(2)): a closed set, as
/// TigerBeetle's per-operation error sets are. Errnos that can only mean a bug (the listener
/// is not ours, not a socket, or not listening; a bad address buffer) stop the process.
enum AcceptOutcome: Equatable {
    /// The pending connection went away, a firewall refused it, or a signal interrupted: try
    /// the next one.
    case retry
    /// The process or system is out of descriptors or memory: accepting again at once would
    /// fail the same way, so the loop rests until a connection closes or a short timer fires.
    case exhausted(Int32)
    /// Nothing left to accept (EAGAIN), or an error that retrying now cannot mend.
    case empty
    /// io_uring ended the multishot accept because the loop cancelled it.
    case cancelled

    init(errno code: Int32) {
        precondition(!SystemCall.isBug(code) && code != EINVAL, "accept: \(Errno(code)), which can only be a bug in the event loop")
        switch code {
        // Linux passes the new socket's pending network errors through accept; the listener is fine.
        case EINTR, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH, EPERM:
            self = .retry
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            self = .exhausted(code)
        case ECANCELED:
            self = .cancelled
        default:
            self = .empty
        }
    }
}
