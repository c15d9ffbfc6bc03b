#if canImport(Glibc)
@preconcurrency import Glibc
#endif
public import IOUring

/// A server running on its own I/O thread.
public final class RunningServer: Sendable {
    public let port: UInt16
    public let backend: Backend
    let waker: Waker
    let stopRequested: Flag
    let thread: LoopThread.JoinHandle
    let finished: OneShotEvent

    init(port: UInt16, backend: Backend, waker: Waker, thread: LoopThread.JoinHandle, stopRequested: Flag, finished: OneShotEvent) {
        self.port = port
        self.backend = backend
        self.waker = waker
        self.thread = thread
        self.stopRequested = stopRequested
        self.finished = finished
    }

    /// Stop accepting, finish in-flight requests, close, then let `wait()` return (SIGTERM does this).
    public func shutdown() {
        stopRequested.set()
        waker.wake()
    }

    /// Blocks until the server has drained and stopped. Not for async code: a blocked thread
    /// of Swift's cooperative pool (one per core) is a core the batcher can no longer use.
    public func wait() { thread.join() }

    /// Suspends, holding no thread, until the server has drained and stopped.
    public func stopped() async {
        await finished.wait()
        thread.join()  // already returned or about to: the loop signals as its last step
    }
}
