#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys

/// The fallback backend, for containers whose seccomp profile blocks io_uring: level-triggered
/// epoll(7), one `recv` per readiness into one shared buffer, sends written at once and the
/// rest of a short one written on EPOLLOUT. A descriptor is in the epoll set exactly while it
/// wants an event (`EpollSlot.wanted`), so a paused or finished connection cannot report
/// EPOLLHUP or EPOLLERR, which epoll reports whether asked for or not, turn after turn.
final class EpollBackend: IOBackend {
    let kind = Backend.epoll
    let epollFD: Int32
    var listenFD: Int32 = -1
    var wakeFD: Int32 = -1
    var isListenWatched = false
    var isAcceptWanted = true
    /// Cleared by `stopListening`.
    var isListening = true
    var slots: [EpollSlot]
    var registeredCount = 0
    /// Events produced outside `poll` (a send the socket took at once, a release), for `reportQueued`.
    let queued = EventQueue()
    let events: UnsafeMutableBufferPointer<epoll_event>
    let receiveBuffer: UnsafeMutableRawBufferPointer
    static let listenTag: UInt64 = .max
    static let wakeTag: UInt64 = .max - 1
    /// Accepts per listener readiness; level-triggered, the rest are taken next turn.
    static let acceptsPerReadinessMax = 1024

    init(slotCount: Int) throws(EventLoopError) {
        precondition(slotCount < Int(UInt32.max - 1), "slots must not collide with the listener and wake tags")
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .errno("epoll_create1") }
        slots = Array(repeating: EpollSlot(), count: slotCount)
        events = .allocate(capacity: 512)
        events.initialize(repeating: epoll_event())
        receiveBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        SystemCall.close(epollFD)
        events.deallocate()
        receiveBuffer.deallocate()
    }

    func start(listenFD: Int32, wakeFD: Int32) throws(EventLoopError) {
        self.listenFD = listenFD
        self.wakeFD = wakeFD
        let flags = fcntl(listenFD, F_GETFL)
        guard flags >= 0, fcntl(listenFD, F_SETFL, flags | O_NONBLOCK) == 0 else { throw .errno("fcntl(O_NONBLOCK) on the listener") }
        if case .failure(let errno) = control(EPOLL_CTL_ADD, wakeFD, events: EPOLLIN.rawValue, tag: Self.wakeTag) {
            throw EventLoopError.errno("epoll_ctl(wake eventfd)", errno.code)
        }
        if case .failure(let errno) = control(EPOLL_CTL_ADD, listenFD, events: EPOLLIN.rawValue, tag: Self.listenTag) {
            throw EventLoopError.errno("epoll_ctl(listener)", errno.code)
        }
        isListenWatched = true
    }

    /// epoll_ctl(2). Adding can run out of memory or of `max_user_watches` (ENOMEM, ENOSPC);
    /// any other failure (EEXIST, ENOENT, EINVAL, EPERM) is a bug in the bookkeeping.
    @discardableResult
    func control(_ operation: Int32, _ fd: Int32, events: UInt32 = 0, tag: UInt64 = 0) -> Result<Int32, Errno> {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        let result = SystemCall.run("epoll_ctl") { epoll_ctl(epollFD, operation, fd, &event) }
        if case .failure(let errno) = result {
            precondition(operation == EPOLL_CTL_ADD && (errno.code == ENOMEM || errno.code == ENOSPC), "epoll_ctl(\(operation), \(fd)): \(errno)")
        }
        return result
    }

    static func tag(_ connection: ConnectionID) -> UInt64 {
        UInt64(connection.generation) << 32 | UInt64(connection.slot)
    }

    // MARK: - Waiting and handling

    func poll(timeoutMilliseconds: Int32, _ report: (IOEvent) -> Void) {
        let timeout = reportQueued(report) ? 0 : timeoutMilliseconds
        let count = epoll_wait(epollFD, events.baseAddress, Int32(events.count), timeout)
        guard count >= 0 else {
            let code = errno
            precondition(code == EINTR, "epoll_wait: \(Errno(code))")
            return  // a signal: the turn goes on, its timers run
        }
        // epoll_wait copied the ready events out (the reaping); each is handled now.
        for index in 0..<Int(count) {
            handle(events[index], report)
        }
    }

    func handle(_ event: epoll_event, _ report: (IOEvent) -> Void) {
        switch event.data.u64 {
        case Self.listenTag: acceptAll(report)
        case Self.wakeTag: readWake(report)
        default: connectionReady(event.events, tag: event.data.u64, report)
        }
    }

    private func connectionReady(_ flags: UInt32, tag: UInt64, _ report: (IOEvent) -> Void) {
        let connection = ConnectionID(slot: UInt32(truncatingIfNeeded: tag), generation: UInt32(truncatingIfNeeded: tag >> 32))
        let slot = Int(connection.slot)
        // An earlier connection's event (its slot reused within this batch): dropped.
        guard slot < slots.count, slots[slot].isRegistered, slots[slot].generation == connection.generation else { return }
        // EPOLLHUP and EPOLLERR end a wait in progress: the recv or send says why.
        if flags & (EpollEvents.input | EpollEvents.hangUpOrError) != 0, slots[slot].wanted & EpollEvents.input != 0 {
            receive(slot: slot, connection, report)
        }
        if flags & (EpollEvents.output | EpollEvents.hangUpOrError) != 0, slots[slot].isRegistered, slots[slot].sendBytes != nil {
            continueSend(slot: slot, connection, report)
        }
    }

    private func receive(slot: Int, _ connection: ConnectionID, _ report: (IOEvent) -> Void) {
        let fd = slots[slot].fd
        let outcome = ReceiveOutcome(SystemCall.run("recv") { recv(fd, receiveBuffer.baseAddress, receiveBuffer.count, 0) })
        switch outcome {
        case .received(let count):
            report(.received(connection, UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count])))
        case .endOfFile:
            slots[slot].hasReceiveEnded = true
            updateWatch(slot: slot)
            report(.peerClosed(connection))
        case .failed(let errno):
            slots[slot].hasReceiveEnded = true
            updateWatch(slot: slot)
            report(.receiveFailed(connection, errno))
        case .retry, .buffersExhausted, .cancelled:
            break  // spurious readiness; recv(2) without provided buffers never says the other two
        }
    }

    private func acceptAll(_ report: (IOEvent) -> Void) {
        var attempts = 0
        while isAcceptWanted, isListening, attempts < Self.acceptsPerReadinessMax {
            attempts += 1
            let result = SystemCall.run("accept4") { accept4(listenFD, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)) }
            switch result {
            case .success(let fd):
                report(.accepted(fd: fd))
            case .failure(let errno):
                switch AcceptOutcome(errno: errno.code) {
                case .retry: continue
                case .exhausted(let code):
                    // Level-triggered: the listener stays readable, so retrying now would spin.
                    report(.acceptExhausted(errno: code))
                    return
                case .empty, .cancelled: return
                }
            }
        }
    }

    private func readWake(_ report: (IOEvent) -> Void) {
        var value: UInt64 = 0
        // Readable, so the blocking eventfd's read returns at once.
        _ = SystemCall.mustSucceed("read(wake eventfd)") { read(wakeFD, &value, 8) }
        report(.woken)
    }
}
