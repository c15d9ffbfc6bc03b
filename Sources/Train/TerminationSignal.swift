#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// SIGTERM as a flag the training loop polls once per iteration: SageMaker (and spot
/// interruption) sends SIGTERM and waits before SIGKILL, so the loop finishes its current tree,
/// then saves a checkpoint and the model or a failure. The handler only stores to a lock-free
/// atomic, which is async-signal-safe.
public enum TerminationSignal {
    private static let received = Atomic<Bool>(false)

    public static func install() {
        signal(SIGTERM) { _ in TerminationSignal.received.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in TerminationSignal.received.store(true, ordering: .relaxed) }
    }

    public static var wasReceived: Bool { received.load(ordering: .relaxed) }
}
