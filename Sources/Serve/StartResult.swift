#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import IOUring
import Synchronization

/// The I/O thread's start-up outcome, handed to the thread that called `start`.
final class StartResult: Sendable {
    private let value = Mutex<Result<(Backend, Waker), ServeError>?>(nil)

    func publish(_ result: Result<(Backend, Waker), ServeError>) { value.withLock { $0 = result } }

    /// Waits (briefly: the loop creates a ring or an epoll set) for `publish`.
    func wait() -> Result<(Backend, Waker), ServeError> {
        while true {
            if let result = value.withLock({ $0 }) { return result }
            usleep(200)
        }
    }
}
