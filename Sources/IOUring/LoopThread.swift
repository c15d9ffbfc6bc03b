#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A dedicated OS thread for an event loop: the ring must be created and driven by one
/// long-lived thread (SINGLE_ISSUER), never by Swift concurrency's pool threads.
public enum LoopThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread and returns a handle to join it.
    public static func start(_ body: @escaping @Sendable () -> Void) -> JoinHandle {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        return JoinHandle(thread: thread)
    }

    public struct JoinHandle: @unchecked Sendable {
        let thread: pthread_t

        /// Blocks until the thread's body returns. Joining fails only for a thread already
        /// joined or the calling thread itself (EINVAL, ESRCH, EDEADLK): a bug.
        public func join() {
            let result = pthread_join(thread, nil)
            precondition(result == 0, "pthread_join failed: \(result)")
        }
    }
}
