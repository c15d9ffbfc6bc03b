#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys

/// A connection as the loop's user sees it: a slot in the fixed connection table plus the
/// generation the slot had when this connection was accepted, so a late reply for a closed
/// connection (whose fd and slot were reused) is recognised and dropped.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let slot: UInt32
    public let generation: UInt32

    public init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    public var description: String { "#\(slot).\(generation)" }
}

/// What the loop reports, always on the loop thread.
public protocol EventLoopDelegate: AnyObject {
    func connectionOpened(_ connection: ConnectionID)
    /// Bytes received; the buffer is valid only during the call.
    func connectionReceived(_ connection: ConnectionID, _ bytes: UnsafeRawBufferPointer)
    /// The peer closed its side (EOF); the delegate calls `close` once it has answered what it got.
    func connectionPeerClosed(_ connection: ConnectionID)
    /// The connection is gone (closed by us, reset, or error); its ID is never reused.
    func connectionClosed(_ connection: ConnectionID)
    /// Everything queued for the connection has been sent, after `notifyWhenDrained` asked.
    func connectionDrained(_ connection: ConnectionID)
    /// accept failed for lack of descriptors or memory (`errno`): the loop stops accepting until
    /// a connection closes or `acceptRetryMilliseconds` pass, and keeps serving the open ones.
    func acceptPaused(errno: Int32)
    /// `EventLoop.Waker.wake()` was called from some thread since the last turn.
    func loopWoken()
    /// Once per loop turn, after all completions: timers, hand-offs, draining.
    func loopTurnEnded(nowNanoseconds: UInt64)
}

/// Which kernel interface drives the loop.
public enum Backend: String, Sendable, CaseIterable {
    case ioUring = "io_uring"
    case epoll
}

/// How to choose the backend: `SYMMETREE_IO_BACKEND=io_uring|epoll|auto` (auto: io_uring when
/// the kernel and seccomp allow creating a ring, else epoll).
public enum BackendPreference: String, Sendable, CaseIterable {
    case auto
    case ioUring = "io_uring"
    case epoll

    public static var fromEnvironment: BackendPreference {
        guard let raw = getenv("SYMMETREE_IO_BACKEND") else { return .auto }
        return BackendPreference(rawValue: String(cString: raw)) ?? .auto
    }
}

public struct EventLoopError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }

    static func errno(_ what: String, _ code: Int32 = Glibc.errno) -> EventLoopError {
        EventLoopError("\(what): \(String(cString: strerror(code)))")
    }
}

/// Wakes a loop from any thread (an eventfd; one write per empty → non-empty hand-off).
public struct Waker: Sendable {
    /// The eventfd; a signal handler may `write` 8 bytes to it directly.
    public let fd: Int32

    /// A waker on an existing eventfd (the loop makes its own; tests pass one in).
    public init(fd: Int32) {
        self.fd = fd
    }

    public func wake() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }
}

/// Per-connection state owned by the loop: output double buffer and close bookkeeping.
/// One send is in flight at a time (`inFlight`), so responses can never reorder.
struct ConnectionState {
    var fd: Int32 = -1
    var generation: UInt32 = 0
    var open = false
    var inFlight: [UInt8] = []
    var inFlightOffset = 0
    var sending = false
    var pending: [UInt8] = []
    var closeRequested = false
    var peerClosed = false
    var dirty = false
    /// The delegate stopped reading this connection until it says otherwise (backpressure).
    var receivePaused = false
    /// Tell the delegate once the output is all sent.
    var drainWanted = false
    /// Half-closed after its last answer, discarding input until this time (see
    /// `EventLoop.lingerMilliseconds`); nil when not lingering.
    var lingerUntil: UInt64?
    var lingerDiscardedBytes = 0
    /// Linger when closing (`EventLoop.close(_:discardingInput:)`); cleared by a failure or abort.
    var lingerWanted = false

    /// Makes the queued output the in-flight buffer; the drained in-flight buffer (capacity
    /// kept) takes new output. A swap, so neither buffer is retained or copied.
    mutating func startSending() {
        swap(&pending, &inFlight)
        inFlightOffset = 0
        sending = true
    }
}

/// The backend-specific half of the loop. Everything runs on the loop thread.
protocol Poller: AnyObject {
    var backend: Backend { get }
    /// Starts watching the listening socket and the wake eventfd.
    func start(listenFD: Int32, wakeFD: Int32) throws(EventLoopError)
    /// Blocks until something happens or `timeoutMilliseconds` pass, then reports it to `loop`.
    func poll(loop: EventLoop, timeoutMilliseconds: Int32)
    /// Start reading the newly accepted connection in `slot`.
    func connectionAdded(slot: Int, loop: EventLoop)
    /// Begin sending `loop.connections[slot].inFlight[inFlightOffset...]`.
    func send(slot: Int, loop: EventLoop)
    /// Tear down the connection's kernel side; `loop.release(slot)` must follow once nothing is armed.
    func close(slot: Int, loop: EventLoop)
    /// Stop or resume reading the connection (`loop.connections[slot].receivePaused` says which).
    func receivingChanged(slot: Int, loop: EventLoop)
    func stopAccepting(listenFD: Int32)
    /// Stop accepting for a while (descriptors ran out) or start again.
    func pauseAccepting()
    func resumeAccepting()
    /// Finishes a turn. io_uring keeps the turn's submissions for the next `poll`, which submits
    /// and waits in one system call.
    func endTurn()
    /// Hands queued submissions to the kernel now (the loop is exiting: no `poll` follows).
    func submitNow()
}

/// One event loop on one dedicated thread: accepts, reads, writes and wakes, on io_uring or
/// epoll behind the same interface. Not thread-safe by design (the ring is single-issuer);
/// other threads talk to it only through `Waker`.
public final class EventLoop {
    public let backend: Backend
    public let waker: Waker
    let poller: any Poller
    let listenFD: Int32
    var connections: [ConnectionState]
    var dirtySlots: [Int] = []
    /// The slots being flushed; swapped with `dirtySlots` each turn so neither is reallocated
    /// (a copy of `dirtySlots` made `removeAll(keepingCapacity:)` allocate anew every turn).
    private var flushingSlots: [Int] = []
    /// The time this turn's events are stamped with, read once per turn.
    private var turnNanoseconds: UInt64?
    var accepting = true
    /// Accepting paused until this time (monotonic ns) or a connection closes; nil when not paused.
    var acceptPausedUntil: UInt64?
    /// How long accepting rests after EMFILE/ENFILE when no connection closes meanwhile.
    public var acceptRetryMilliseconds: UInt64 = 100
    /// A connection closed after its last answer while the peer may still be sending (a body
    /// refused with 413 as it streams) would be reset by the kernel as more bytes arrive, and
    /// a reset makes the peer's kernel drop the answer unread. So `close(_:discardingInput:)`
    /// shuts the write side and discards what still arrives until the peer closes, this much
    /// time passes or `lingerBytesMax` arrive (nginx's lingering close). 0 closes at once.
    public var lingerMilliseconds: UInt64 = 2000
    public var lingerBytesMax = 4 << 20
    /// Slots lingering, checked each turn for their deadline.
    private var lingeringSlots: [Int] = []
    var running = true
    private var immediateTurnWanted = false
    /// Why io_uring was not used under `.auto` (nil when it is, or when epoll was asked for).
    public let ioUringUnavailableReason: String?
    /// Held strongly while the loop runs (a weak reference cost an atomic load per event) and
    /// dropped when `run()` returns, which ends the cycle with a delegate that owns the loop.
    public var delegate: (any EventLoopDelegate)?
    /// Upper bound on how long the loop sleeps, so `loopTurnEnded` can run timers.
    public var tickMilliseconds: Int32 = 100

    /// Creates the loop's kernel objects. Call on the thread that will call `run()` (an
    /// io_uring created with SINGLE_ISSUER accepts submissions only from its creating thread).
    /// Under `.auto`, any io_uring set-up step that fails (seccomp's EPERM or ENOSYS, an old
    /// kernel's EINVAL, ENOMEM for the buffer ring) leaves epoll in charge, with the reason in
    /// `ioUringUnavailableReason`; under `.ioUring` it is the error thrown.
    public convenience init(listenFD: Int32, maxConnections: Int, preference: BackendPreference) throws(EventLoopError) {
        try self.init(listenFD: listenFD, maxConnections: maxConnections, preference: preference, injectedFailure: nil)
    }

    /// `injectedFailure` makes one io_uring set-up step fail with an errno, as an old kernel or a
    /// seccomp profile would (tests; `strace -e inject=` does the same to the real binary).
    package init(
        listenFD: Int32, maxConnections: Int, preference: BackendPreference, injectedFailure: URingSetupFailure?
    ) throws(EventLoopError) {
        self.listenFD = listenFD
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw .errno("eventfd") }
        waker = Waker(fd: wakeFD)
        connections = Array(repeating: ConnectionState(), count: maxConnections)
        var chosen: (any Poller)?
        var unavailable: String?
        if preference != .epoll {
            do throws(EventLoopError) {
                let uring = try URingPoller(entries: 2048, bufferCount: 1024, bufferSize: 16 * 1024, injectedFailure: injectedFailure)
                try uring.start(listenFD: listenFD, wakeFD: wakeFD)
                chosen = uring
            } catch {
                guard preference == .auto else {
                    Glibc.close(wakeFD)
                    throw error
                }
                unavailable = error.description
            }
        }
        if chosen == nil {
            do throws(EventLoopError) {
                let epoll = try EpollPoller()
                try epoll.start(listenFD: listenFD, wakeFD: wakeFD)
                chosen = epoll
            } catch {
                Glibc.close(wakeFD)
                throw error
            }
        }
        poller = chosen!
        backend = poller.backend
        ioUringUnavailableReason = unavailable
    }

    /// Runs until `stop()`; returns after closing every connection.
    public func run() {
        while running {
            turnNanoseconds = nil
            let timeout = immediateTurnWanted ? 0 : tickMilliseconds
            immediateTurnWanted = false
            poller.poll(loop: self, timeoutMilliseconds: timeout)
            let now = nowNanoseconds
            if let until = acceptPausedUntil, now >= until { resumeAccepting() }
            if !lingeringSlots.isEmpty { endExpiredLingering(now: now) }
            delegate?.loopTurnEnded(nowNanoseconds: now)
            // A drained connection's delegate may queue more output (a held request answered):
            // it goes out this turn, not after the next wait.
            for _ in 0..<4 where !dirtySlots.isEmpty { flush() }
            poller.endTurn()
        }
        for slot in connections.indices where connections[slot].open {
            connections[slot].closeRequested = true
            connections[slot].pending.removeAll()
            poller.close(slot: slot, loop: self)
        }
        poller.endTurn()
        poller.submitNow()
        delegate = nil
    }

    // MARK: - Called by the delegate (loop thread)

    /// Queues bytes for the connection; they go out at the end of this turn, in order.
    public func send(_ connection: ConnectionID, _ bytes: [UInt8]) {
        send(connection) { $0.append(contentsOf: bytes) }
    }

    /// Lets `write` append to the connection's queued output in place (no intermediate array);
    /// it goes out at the end of this turn, in order.
    public func send(_ connection: ConnectionID, writing write: (inout [UInt8]) -> Void) {
        guard let slot = validSlot(connection) else { return }
        write(&connections[slot].pending)
        markDirty(slot)
    }

    /// Closes the connection once everything queued has been sent; `discardingInput` lingers
    /// first (see `lingerMilliseconds`).
    public func close(_ connection: ConnectionID, discardingInput: Bool = false) {
        guard let slot = validSlot(connection) else { return }
        connections[slot].closeRequested = true
        if discardingInput { connections[slot].lingerWanted = true }
        markDirty(slot)
    }

    /// Drops queued output and closes now (bad peer, reset).
    public func abort(_ connection: ConnectionID) {
        guard let slot = validSlot(connection) else { return }
        connections[slot].pending.removeAll()
        connections[slot].closeRequested = true
        connections[slot].lingerWanted = false
        if connections[slot].lingerUntil != nil { return endLingering(slot: slot) }
        markDirty(slot)
    }

    public func isOpen(_ connection: ConnectionID) -> Bool { validSlot(connection) != nil }

    /// Monotonic nanoseconds, read once per turn after the wait: every event of a turn happened
    /// at its start, as far as timeouts can tell, and a request costs no clock read.
    public var nowNanoseconds: UInt64 {
        if let turnNanoseconds { return turnNanoseconds }
        let now = MonotonicTime.nanoseconds
        turnNanoseconds = now
        return now
    }

    /// Output not yet handed to the kernel plus output in flight, in bytes.
    public func queuedByteCount(_ connection: ConnectionID) -> Int {
        guard let slot = validSlot(connection) else { return 0 }
        return connections[slot].pending.count + connections[slot].inFlight.count - connections[slot].inFlightOffset
    }

    public func stopAccepting() {
        guard accepting else { return }
        accepting = false
        if acceptPausedUntil != nil {
            acceptPausedUntil = nil
            poller.resumeAccepting()  // lets the poller drop its paused state before stopping
        }
        poller.stopAccepting(listenFD: listenFD)
    }

    /// Stops reading the connection (its output is backed up): the kernel's receive buffer
    /// fills and TCP's flow control holds the client back. Bytes already on their way may still
    /// be reported.
    public func pauseReceiving(_ connection: ConnectionID) {
        guard let slot = validSlot(connection), !connections[slot].receivePaused else { return }
        connections[slot].receivePaused = true
        poller.receivingChanged(slot: slot, loop: self)
    }

    public func resumeReceiving(_ connection: ConnectionID) {
        guard let slot = validSlot(connection), connections[slot].receivePaused else { return }
        connections[slot].receivePaused = false
        poller.receivingChanged(slot: slot, loop: self)
    }

    /// Sets the connection's SO_SNDBUF (which ends the kernel's autotuning of it).
    public func setSendBufferBytes(_ connection: ConnectionID, _ bytes: Int32) {
        guard let slot = validSlot(connection) else { return }
        var value = bytes
        _ = setsockopt(connections[slot].fd, SOL_SOCKET, SO_SNDBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Calls `connectionDrained` once nothing is queued or in flight for the connection (at the
    /// end of this turn if that is already so).
    public func notifyWhenDrained(_ connection: ConnectionID) {
        guard let slot = validSlot(connection) else { return }
        connections[slot].drainWanted = true
        markDirty(slot)
    }

    public func stop() { running = false }

    /// The next turn starts without waiting for an event: the delegate left work for it.
    public func requestImmediateTurn() { immediateTurnWanted = true }

    public var openConnectionCount: Int { connections.reduce(0) { $0 + ($1.open ? 1 : 0) } }

    // MARK: - Called by pollers (loop thread)

    func validSlot(_ connection: ConnectionID) -> Int? {
        let slot = Int(connection.slot)
        guard slot < connections.count, connections[slot].open, connections[slot].generation == connection.generation
        else { return nil }
        return slot
    }

    func id(of slot: Int) -> ConnectionID {
        ConnectionID(slot: UInt32(slot), generation: connections[slot].generation)
    }

    func markDirty(_ slot: Int) {
        if !connections[slot].dirty {
            connections[slot].dirty = true
            dirtySlots.append(slot)
        }
    }

    /// A new socket from accept: configure it and give it a slot (the fd itself).
    func accepted(fd: Int32) {
        guard accepting, Int(fd) < connections.count else {
            Glibc.close(fd)
            return
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let slot = Int(fd)
        connections[slot].fd = fd
        connections[slot].generation &+= 1
        connections[slot].open = true
        connections[slot].closeRequested = false
        connections[slot].peerClosed = false
        connections[slot].receivePaused = false
        connections[slot].drainWanted = false
        connections[slot].lingerUntil = nil
        connections[slot].lingerDiscardedBytes = 0
        connections[slot].lingerWanted = false
        connections[slot].sending = false
        connections[slot].inFlight.removeAll(keepingCapacity: true)
        connections[slot].inFlightOffset = 0
        connections[slot].pending.removeAll(keepingCapacity: true)
        poller.connectionAdded(slot: slot, loop: self)
        delegate?.connectionOpened(id(of: slot))
    }

    func received(slot: Int, _ bytes: UnsafeRawBufferPointer) {
        guard connections[slot].open else { return }
        guard !connections[slot].closeRequested else {
            // Closing: discarded; a lingering peer that keeps sending is cut off.
            guard connections[slot].lingerUntil != nil else { return }
            connections[slot].lingerDiscardedBytes += bytes.count
            if connections[slot].lingerDiscardedBytes > lingerBytesMax { endLingering(slot: slot) }
            return
        }
        delegate?.connectionReceived(id(of: slot), bytes)
    }

    /// accept failed with `code`: descriptors or memory ran out, so retrying at once would only
    /// spin. Paused until a connection closes or the retry interval passes.
    func acceptFailed(errno code: Int32) {
        guard accepting, acceptPausedUntil == nil else { return }
        acceptPausedUntil = nowNanoseconds + acceptRetryMilliseconds * 1_000_000
        poller.pauseAccepting()
        delegate?.acceptPaused(errno: code)
    }

    private func resumeAccepting() {
        guard acceptPausedUntil != nil else { return }
        acceptPausedUntil = nil
        if accepting { poller.resumeAccepting() }
    }

    func peerClosed(slot: Int) {
        guard connections[slot].open, !connections[slot].peerClosed else { return }
        connections[slot].peerClosed = true
        if connections[slot].lingerUntil != nil { return endLingering(slot: slot) }
        delegate?.connectionPeerClosed(id(of: slot))
    }

    /// A socket error (reset, broken pipe): nothing more can be sent.
    func failed(slot: Int) {
        guard connections[slot].open else { return }
        connections[slot].pending.removeAll()
        connections[slot].inFlight.removeAll()
        connections[slot].inFlightOffset = 0
        connections[slot].sending = false
        connections[slot].closeRequested = true
        connections[slot].lingerWanted = false
        if connections[slot].lingerUntil != nil { return endLingering(slot: slot) }
        markDirty(slot)
    }

    /// `count` bytes of the in-flight buffer were sent.
    func sent(slot: Int, count: Int) {
        guard connections[slot].open else { return }
        connections[slot].inFlightOffset += count
        if connections[slot].inFlightOffset < connections[slot].inFlight.count {
            poller.send(slot: slot, loop: self)  // partial: the rest, still one in flight
            return
        }
        connections[slot].sending = false
        connections[slot].inFlight.removeAll(keepingCapacity: true)
        connections[slot].inFlightOffset = 0
        markDirty(slot)
    }

    /// Frees the slot after the poller has nothing armed on it; the fd is closed here.
    func release(slot: Int) {
        guard connections[slot].open else { return }
        let connection = id(of: slot)
        Glibc.close(connections[slot].fd)
        connections[slot].open = false
        connections[slot].fd = -1
        connections[slot].pending = []
        connections[slot].inFlight = []
        delegate?.connectionClosed(connection)
        resumeAccepting()  // a descriptor is free again
    }

    func woken() { delegate?.loopWoken() }

    // MARK: - Closing

    /// Everything is sent and the connection should close: at once, or after lingering.
    private func finishClosing(slot: Int) {
        guard connections[slot].lingerUntil == nil else { return }  // ends on its own
        guard connections[slot].lingerWanted, !connections[slot].peerClosed, lingerMilliseconds > 0 else {
            return poller.close(slot: slot, loop: self)
        }
        _ = shutdown(connections[slot].fd, Int32(SHUT_WR))
        connections[slot].lingerUntil = nowNanoseconds &+ lingerMilliseconds * 1_000_000
        lingeringSlots.append(slot)
        if connections[slot].receivePaused {
            connections[slot].receivePaused = false
            poller.receivingChanged(slot: slot, loop: self)
        }
    }

    private func endLingering(slot: Int) {
        guard let index = lingeringSlots.firstIndex(of: slot) else { return }  // ended already
        lingeringSlots.remove(at: index)
        poller.close(slot: slot, loop: self)
    }

    private func endExpiredLingering(now: UInt64) {
        for slot in lingeringSlots where connections[slot].lingerUntil.map({ now >= $0 }) ?? true {
            endLingering(slot: slot)
        }
    }

    /// Starts a send on every connection with new output and no send in flight; closes those
    /// that asked to and have nothing left to send.
    private func flush() {
        swap(&dirtySlots, &flushingSlots)
        defer { flushingSlots.removeAll(keepingCapacity: true) }
        for slot in flushingSlots {
            connections[slot].dirty = false
            guard connections[slot].open else { continue }
            if !connections[slot].sending, !connections[slot].pending.isEmpty {
                connections[slot].startSending()
                poller.send(slot: slot, loop: self)
            }
            let drained = !connections[slot].sending && connections[slot].pending.isEmpty
            if drained, connections[slot].closeRequested {
                finishClosing(slot: slot)
            } else if drained, connections[slot].drainWanted {
                connections[slot].drainWanted = false
                delegate?.connectionDrained(id(of: slot))
            }
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the loop's and its delegates' one clock for timeouts.
public enum MonotonicTime {
    public static var nanoseconds: UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
