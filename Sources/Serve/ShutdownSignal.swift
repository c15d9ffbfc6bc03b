#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import IOUring
import Synchronization

/// SIGTERM → graceful shutdown. The handler only sets a flag and writes the loop's eventfd,
/// both async-signal-safe.
public enum ShutdownSignal {
    private static let requested = Atomic<Bool>(false)
    private static let wakeFD = Atomic<Int32>(-1)

    public static func install(for server: RunningServer) {
        wakeFD.store(server.waker.fd, ordering: .releasing)
        let handler: @convention(c) (Int32) -> Void = { _ in
            ShutdownSignal.requested.store(true, ordering: .releasing)
            var one: UInt64 = 1
            _ = write(ShutdownSignal.wakeFD.load(ordering: .acquiring), &one, 8)
        }
        signal(SIGTERM, handler)
        signal(SIGINT, handler)
        signal(SIGPIPE, SIG_IGN)
    }

    static var wasRequested: Bool { requested.load(ordering: .acquiring) }
}
