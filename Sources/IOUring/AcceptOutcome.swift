#if canImport(Glibc)
import Glibc
#endif

/// What a failed accept means for the accepting loop, by errno (accept(2)).
enum AcceptOutcome: Equatable {
    /// The pending connection went away or a signal interrupted: try the next one.
    case retry
    /// The process or system is out of descriptors or memory: accepting again at once would
    /// fail the same way, so the loop rests until a connection closes or a short timer fires.
    case exhausted(Int32)
    /// Nothing left to accept (EAGAIN), or an error that retrying cannot mend.
    case empty

    init(errno code: Int32) {
        switch code {
        // Linux passes the new socket's pending network errors through accept; the listener is fine.
        case EINTR, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
            self = .retry
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            self = .exhausted(code)
        default:
            self = .empty
        }
    }
}
