#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys

/// One event loop on one dedicated thread: accepts, reads, writes and wakes, on io_uring or
/// epoll behind the same `IOBackend`. Not thread-safe by design (the ring is single-issuer);
/// other threads talk to it only through `Waker`.
///
/// A turn: the backend waits, reaps and reports what happened (`handle(_:)`), the delegate's
/// `loopTurnEnded` runs, then every connection with new output starts a send and those closing
/// with nothing left to send close (`flush()`). The loop owns one `ConnectionRecord` per slot,
/// with its `ConnectionLifecycle` and its `SendBuffer`; the backend sees only descriptors,
/// connection IDs and the bytes to send.
public final class EventLoop {
    public let backend: Backend
    public let waker: Waker
    let io: any IOBackend
    let listenFD: Int32
    var records: [ConnectionRecord]
    /// Slots not free: open, closing or being released.
    public internal(set) var openConnectionCount = 0
    var dirtySlots: [Int] = []
    /// The slots being flushed; swapped with `dirtySlots` each flush so neither is reallocated.
    var flushingSlots: [Int] = []
    /// Connections lingering, checked each turn for their deadline (stale entries are skipped).
    var lingering: [ConnectionID] = []
    var acceptState = AcceptState.accepting
    var lifecycle = LoopLifecycle.running
    /// The time this turn's events are stamped with, read once per turn.
    private var turnNanoseconds: UInt64?
    private var isImmediateTurnWanted = false
    /// How long accepting rests after EMFILE/ENFILE when no connection closes meanwhile.
    var acceptRetryMilliseconds: UInt64 = 100
    /// A connection closed after its last answer while the peer may still be sending (a body
    /// refused with 413 as it streams) would be reset by the kernel as more bytes arrive, and
    /// a reset makes the peer's kernel drop the answer unread. So `close(_:discardingInput:)`
    /// shuts the write side and discards what still arrives until the peer closes, this much
    /// time passes or `lingerBytesMax` arrive (nginx's lingering close). 0 closes at once.
    var lingerMilliseconds: UInt64 = 2000
    var lingerBytesMax = 4 << 20
    /// Upper bound on how long the loop sleeps, so `loopTurnEnded` can run timers.
    var tickMilliseconds: Int32 = 100
    /// Why io_uring was not used under `.auto` (nil when it is, or when epoll was asked for).
    public let ioUringUnavailableReason: String?
    /// Held strongly while the loop runs (a weak reference cost an atomic load per event) and
    /// dropped when `run()` returns, which ends the cycle with a delegate that owns the loop.
    public var delegate: (any EventLoopDelegate)?

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
    /// `ringEntries` sizes the submission queue and `providedBufferCount` the receive buffers
    /// (tests make them small to fill them).
    package init(
        listenFD: Int32, maxConnections: Int, preference: BackendPreference, injectedFailure: URingSetupFailure?,
        ringEntries: UInt32 = 2048, providedBufferCount: Int = 1024
    ) throws(EventLoopError) {
        precondition(maxConnections > 0, "no connection slots")
        self.listenFD = listenFD
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw .errno("eventfd") }
        waker = Waker(fd: wakeFD)
        records = Array(repeating: ConnectionRecord(), count: maxConnections)
        var chosen: (any IOBackend)?
        var unavailable: String?
        if preference != .epoll {
            do throws(EventLoopError) {
                let uring = try URingBackend(
                    entries: ringEntries, slotCount: maxConnections, bufferCount: providedBufferCount, bufferSize: 16 * 1024,
                    injectedFailure: injectedFailure)
                try uring.start(listenFD: listenFD, wakeFD: wakeFD)
                chosen = uring
            } catch {
                guard preference == .auto else {
                    SystemCall.close(wakeFD)
                    throw error
                }
                unavailable = error.description
            }
        }
        if chosen == nil {
            do throws(EventLoopError) {
                let epoll = try EpollBackend(slotCount: maxConnections)
                try epoll.start(listenFD: listenFD, wakeFD: wakeFD)
                chosen = epoll
            } catch {
                SystemCall.close(wakeFD)
                throw error
            }
        }
        io = chosen!
        backend = io.kind
        ioUringUnavailableReason = unavailable
    }

    /// Runs until `stop()`; returns once every connection is closed and the kernel holds
    /// nothing of the loop's.
    public func run() {
        precondition(lifecycle == .running, "run() called on a loop that has \(lifecycle)")
        while lifecycle == .running { turn() }
        quiesce()
        lifecycle = .finished
        delegate = nil
    }

    private func turn() {
        turnNanoseconds = nil
        let timeout = isImmediateTurnWanted ? 0 : tickMilliseconds
        isImmediateTurnWanted = false
        io.poll(timeoutMilliseconds: timeout) { handle($0) }
        let now = nowNanoseconds
        if case .paused(let until) = acceptState, now >= until { resumeAccepting() }
        if !lingering.isEmpty { endExpiredLingering(now: now) }
        delegate?.loopTurnEnded(nowNanoseconds: now)
        flushAll()
        io.endTurn()
    }

    /// Closes every connection at once and waits (boundedly: a kernel that never answered would
    /// otherwise hang the exit) until the backend holds nothing, so no buffer the kernel may
    /// still read or write is freed under it.
    private func quiesce() {
        acceptState = .stopped
        io.stopListening()
        for slot in records.indices where records[slot].lifecycle.isLive { abort(slot: slot) }
        var turns = 0
        while openConnectionCount > 0 || !io.isQuiescent {
            precondition(turns < 1000, "the event loop did not quiesce in 1000 turns: \(openConnectionCount) connection(s) still held")
            turns += 1
            turnNanoseconds = nil
            flushAll()
            io.poll(timeoutMilliseconds: 10) { handle($0) }
            io.endTurn()
        }
    }

    // MARK: - Called by the delegate (loop thread)

    /// Lets `write` append to the connection's queued output in place (no intermediate array);
    /// it goes out at the end of this turn, in order.
    public func send(_ connection: ConnectionID, writing write: (inout [UInt8]) -> Void) {
        guard let slot = liveSlot(connection) else { return }
        switch records[slot].lifecycle {
        case .open, .peerClosed, .closing: break
        case .free, .lingering, .releasing: return  // the write side is shut or gone
        }
        records[slot].output.append(write)
        markDirty(slot)
    }

    /// Closes the connection once everything queued has been sent; `discardingInput` lingers
    /// first (see `lingerMilliseconds`) unless the peer has closed already.
    public func close(_ connection: ConnectionID, discardingInput: Bool = false) {
        guard let slot = liveSlot(connection) else { return }
        switch records[slot].lifecycle {
        case .open: records[slot].lifecycle = .closing(linger: discardingInput)
        case .peerClosed: records[slot].lifecycle = .closing(linger: false)
        case .free, .closing, .lingering, .releasing: return
        }
        markDirty(slot)
    }

    /// Drops queued output and closes now (bad peer, reset).
    public func abort(_ connection: ConnectionID) {
        guard let slot = liveSlot(connection) else { return }
        abort(slot: slot)
    }

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
        guard let slot = liveSlot(connection) else { return 0 }
        return records[slot].output.byteCount
    }

    /// Stops taking new connections, for good (draining).
    public func stopAccepting() {
        let wasAccepting = acceptState == .accepting
        acceptState = .stopped
        if wasAccepting { io.setAccepting(false) }  // paused: already off
    }

    /// Stops reading the connection (its output is backed up): the kernel's receive buffer
    /// fills and TCP's flow control holds the client back. Bytes already on their way may still
    /// be reported.
    public func pauseReceiving(_ connection: ConnectionID) {
        guard let slot = liveSlot(connection), records[slot].lifecycle == .open(receivePaused: false) else { return }
        records[slot].lifecycle = .open(receivePaused: true)
        io.setReceiving(connection, fd: records[slot].fd, enabled: false)
    }

    public func resumeReceiving(_ connection: ConnectionID) {
        guard let slot = liveSlot(connection), records[slot].lifecycle == .open(receivePaused: true) else { return }
        records[slot].lifecycle = .open(receivePaused: false)
        io.setReceiving(connection, fd: records[slot].fd, enabled: true)
    }

    /// Sets the connection's SO_SNDBUF (which ends the kernel's autotuning of it).
    public func setSendBufferBytes(_ connection: ConnectionID, _ bytes: Int32) {
        guard let slot = liveSlot(connection) else { return }
        var value = bytes
        // The kernel clamps the size to its limits; beyond the bugs `SystemCall` catches,
        // setsockopt(SO_SNDBUF) fails only with ENOMEM, and the socket then keeps its buffer.
        _ = SystemCall.run("setsockopt(SO_SNDBUF)") {
            setsockopt(records[slot].fd, SOL_SOCKET, SO_SNDBUF, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Calls `connectionDrained` once nothing is queued or in flight for the connection (at the
    /// end of this turn if that is already so).
    public func notifyWhenDrained(_ connection: ConnectionID) {
        guard let slot = liveSlot(connection) else { return }
        records[slot].drainWanted = true
        markDirty(slot)
    }

    /// Ends `run()`: every connection still open is closed without sending what is queued.
    public func stop() {
        if lifecycle == .running { lifecycle = .quiescing }
    }

    /// The next turn starts without waiting for an event: the delegate left work for it.
    public func requestImmediateTurn() { isImmediateTurnWanted = true }

    // MARK: - Slots

    /// The slot of `connection` while it is live (accepted and not yet released); nil for a
    /// connection that has gone, whose slot may hold another by now.
    @inline(__always)
    func liveSlot(_ connection: ConnectionID) -> Int? {
        let slot = Int(connection.slot)
        guard slot < records.count, records[slot].generation == connection.generation, records[slot].lifecycle != .free else {
            return nil
        }
        return slot
    }

    @inline(__always)
    func id(of slot: Int) -> ConnectionID {
        ConnectionID(slot: UInt32(slot), generation: records[slot].generation)
    }

    @inline(__always)
    func markDirty(_ slot: Int) {
        if !records[slot].isDirty {
            records[slot].isDirty = true
            dirtySlots.append(slot)
        }
    }
}
