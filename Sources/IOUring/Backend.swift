/// Which kernel interface drives the loop.
public enum Backend: String, Sendable, CaseIterable {
    case ioUring = "io_uring"
    case epoll
}
