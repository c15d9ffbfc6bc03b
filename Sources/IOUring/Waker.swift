#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Wakes a loop from any thread (an eventfd; one write per empty → non-empty hand-off).
///
/// The eventfd is never closed: wakers are copied to other threads (the batcher, model loads,
/// the SIGTERM handler) that may wake after the loop has ended, and a closed number could by
/// then name another file, which the write would corrupt.
public struct Waker: Sendable {
    /// The eventfd; a signal handler may `write` 8 bytes to it directly.
    public let fd: Int32

    /// A waker on an existing eventfd (the loop makes its own; tests pass one in).
    public init(fd: Int32) {
        self.fd = fd
    }

    public func wake() {
        var one: UInt64 = 1
        // A blocking eventfd's write fails only at a count of 2^64 - 2 wakes, never reached.
        _ = SystemCall.mustSucceed("write(eventfd)") { write(fd, &one, 8) }
    }
}
