#if canImport(Glibc)
import Glibc
#endif
@testable import IOUring

/// A delegate that echoes what each connection sends and records what the loop reported, for
/// the test thread to read. Runs on the loop thread; `commands` carry the test's requests there.
final class EchoDelegate: EventLoopDelegate, @unchecked Sendable {
    struct Record {
        var opened: [ConnectionID] = []
        var receivedByteCount: [ConnectionID: Int] = [:]
        var peerClosed: [ConnectionID: Int] = [:]
        var closed: [ConnectionID: Int] = [:]
        var acceptPauses = 0
        /// The most output a connection had queued at the end of a turn.
        var queuedByteCountMax = 0
    }

    /// Set on the loop thread once the loop exists.
    unowned(unsafe) var loop: EventLoop!
    let record = Shared(Record())
    private let commands = Shared<[@Sendable (EventLoop) -> Void]>([])
    /// What each new connection gets: its SO_SNDBUF, or an immediate close.
    var sendBufferBytes: Int32?
    var closesOnOpen = false
    /// Record `Record.queuedByteCountMax` (costs a scan of the newest connections per turn).
    var tracksQueuedOutput = false

    /// Runs `body` on the loop thread at its next wake.
    func onLoop(_ body: @escaping @Sendable (EventLoop) -> Void) {
        commands.withLock { $0.append(body) }
        loop.waker.wake()
    }

    func connectionOpened(_ connection: ConnectionID) {
        record.withLock { $0.opened.append(connection) }
        if let sendBufferBytes { loop.setSendBufferBytes(connection, sendBufferBytes) }
        if closesOnOpen { loop.close(connection) }
    }

    func connectionReceived(_ connection: ConnectionID, _ bytes: UnsafeRawBufferPointer) {
        record.withLock { $0.receivedByteCount[connection, default: 0] += bytes.count }
        loop.send(connection) { $0.append(contentsOf: bytes) }
    }

    func connectionPeerClosed(_ connection: ConnectionID) {
        record.withLock { $0.peerClosed[connection, default: 0] += 1 }
        loop.close(connection)
    }

    func connectionClosed(_ connection: ConnectionID) {
        record.withLock { $0.closed[connection, default: 0] += 1 }
    }

    func connectionDrained(_ connection: ConnectionID) {}

    func acceptPaused(errno: Int32) {
        record.withLock { $0.acceptPauses += 1 }
    }

    func loopWoken() {
        for command in commands.withLock({ commands in defer { commands.removeAll() }; return commands }) { command(loop) }
    }

    func loopTurnEnded(nowNanoseconds: UInt64) {
        guard tracksQueuedOutput else { return }
        let opened = record.withLock { $0.opened }
        var queuedMax = 0
        for connection in opened.suffix(8) { queuedMax = max(queuedMax, loop.queuedByteCount(connection)) }
        record.withLock { $0.queuedByteCountMax = max($0.queuedByteCountMax, queuedMax) }
    }
}

/// An event loop on its own thread (created there: a SINGLE_ISSUER ring takes submissions only
/// from its creating thread) with an `EchoDelegate`, serving a fresh listener.
final class LoopHarness: @unchecked Sendable {
    let listener: TestListener
    let delegate = EchoDelegate()
    private let thread: LoopThread.JoinHandle
    /// nil while starting, then "" once running, or why the loop could not be set up.
    private let startFailure = Shared<String?>(nil)

    init(
        _ preference: BackendPreference, maxConnections: Int = raisedDescriptorLimit(), ringEntries: UInt32 = 2048,
        providedBufferCount: Int = 1024,
        configure: @escaping @Sendable (EventLoop, EchoDelegate) -> Void = { _, _ in }
    ) throws {
        let listener = try TestListener()
        self.listener = listener
        let delegate = delegate
        let startFailure = startFailure
        thread = LoopThread.start {
            let loop: EventLoop
            do throws(EventLoopError) {
                loop = try EventLoop(
                    listenFD: listener.fd, maxConnections: maxConnections, preference: preference, injectedFailure: nil,
                    ringEntries: ringEntries, providedBufferCount: providedBufferCount)
            } catch {
                startFailure.withLock { $0 = error.description }
                return
            }
            delegate.loop = loop
            loop.delegate = delegate
            configure(loop, delegate)
            startFailure.withLock { $0 = "" }
            loop.run()
        }
        guard eventually({ startFailure.withLock { $0 != nil } }) else { throw TestFailure("the loop did not start") }
        if let failure = startFailure.withLock({ $0 }), !failure.isEmpty {
            thread.join()
            Glibc.close(listener.fd)
            throw TestFailure("the loop did not start: \(failure)")
        }
    }

    /// Runs `body` on the loop thread and waits for its result.
    func onLoop<Value: Sendable>(_ body: @escaping @Sendable (EventLoop) -> Value) throws -> Value {
        let result = Shared<Value?>(nil)
        delegate.onLoop { loop in
            let value = body(loop)
            result.withLock { $0 = value }
        }
        guard eventually({ result.withLock { $0 != nil } }) else { throw TestFailure("the loop did not run a command") }
        return result.withLock { $0 }!
    }

    /// Stops the loop, waits for its thread and closes the listener.
    func stop() {
        delegate.onLoop { $0.stop() }
        thread.join()
        Glibc.close(listener.fd)
    }
}
