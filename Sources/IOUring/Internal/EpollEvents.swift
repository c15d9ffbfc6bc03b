import CSys

/// The epoll(7) event masks the backend uses.
enum EpollEvents {
    /// Readable, or the peer shut its side (EPOLLRDHUP, Linux 2.6.17).
    static let input = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    static let output = EPOLLOUT.rawValue
    /// Always reported, asked for or not.
    static let hangUpOrError = EPOLLHUP.rawValue | EPOLLERR.rawValue
}
