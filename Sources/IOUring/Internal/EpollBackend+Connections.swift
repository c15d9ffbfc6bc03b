#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys

/// The loop's calls for one connection, and the epoll set kept equal to what each wants.
extension EpollBackend {
    func register(_ connection: ConnectionID, fd: Int32) {
        let slot = Int(connection.slot)
        precondition(slot < slots.count, "slot \(slot) past the table of \(slots.count)")
        precondition(!slots[slot].isRegistered, "slot \(slot) registered again before its release")
        assert(slots[slot].watched == nil && slots[slot].sendBytes == nil, "slot \(slot) released while watched")
        slots[slot] = EpollSlot(fd: fd, generation: connection.generation, isRegistered: true, isReceiveWanted: true)
        registeredCount += 1
        updateWatch(slot: slot)
    }

    func setReceiving(_ connection: ConnectionID, fd: Int32, enabled: Bool) {
        let slot = slots.slot(of: connection)
        slots[slot].isReceiveWanted = enabled
        updateWatch(slot: slot)
    }

    func send(_ connection: ConnectionID, fd: Int32, bytes: UnsafeRawBufferPointer) {
        let slot = slots.slot(of: connection)
        precondition(slots[slot].sendBytes == nil, "a second send in flight for \(connection)")
        precondition(!bytes.isEmpty, "a send of nothing")
        switch Self.send(fd, bytes) {
        case .sent(let count):
            queued.append(.sent(connection, byteCount: count))
        case .retry:
            slots[slot].sendBytes = bytes  // EPOLLOUT resumes it
            updateWatch(slot: slot)
        case .failed(let errno):
            queued.append(.sendFailed(connection, errno))
        }
    }

    /// The send waiting for room, on EPOLLOUT (or EPOLLHUP/EPOLLERR, when it fails).
    func continueSend(slot: Int, _ connection: ConnectionID, _ report: (IOEvent) -> Void) {
        guard let bytes = slots[slot].sendBytes else { return }
        switch Self.send(slots[slot].fd, bytes) {
        case .sent(let count):
            slots[slot].sendBytes = nil
            updateWatch(slot: slot)
            report(.sent(connection, byteCount: count))
        case .retry:
            break
        case .failed(let errno):
            slots[slot].sendBytes = nil
            updateWatch(slot: slot)
            report(.sendFailed(connection, errno))
        }
    }

    /// send(2) with MSG_NOSIGNAL (a reset peer is EPIPE, not SIGPIPE).
    private static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> SendOutcome {
        SendOutcome(SystemCall.run("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) })
    }

    func close(_ connection: ConnectionID, fd: Int32) {
        let slot = slots.slot(of: connection)
        precondition(slots[slot].sendBytes == nil, "\(connection) closed with a send in flight")
        slots[slot].isReceiveWanted = false
        updateWatch(slot: slot)
        slots[slot].isRegistered = false
        registeredCount -= 1
        queued.append(.released(connection))
    }

    /// Adds, changes or removes the descriptor's registration to match what it wants. An add
    /// the kernel refuses (ENOMEM, ENOSPC: out of memory or of `max_user_watches`) leaves the
    /// connection unserved, so it is reported failed and the loop closes it.
    func updateWatch(slot: Int) {
        let wanted = slots[slot].wanted
        let fd = slots[slot].fd
        let tag = Self.tag(ConnectionID(slot: UInt32(slot), generation: slots[slot].generation))
        if let watched = slots[slot].watched {
            if wanted == 0 {
                control(EPOLL_CTL_DEL, fd)
                slots[slot].watched = nil
            } else if watched != wanted {
                control(EPOLL_CTL_MOD, fd, events: wanted, tag: tag)
                slots[slot].watched = wanted
            }
        } else if wanted != 0 {
            if case .failure(let errno) = control(EPOLL_CTL_ADD, fd, events: wanted, tag: tag) {
                return failUnwatchable(slot: slot, errno)
            }
            slots[slot].watched = wanted
        }
    }

    private func failUnwatchable(slot: Int, _ errno: Errno) {
        let connection = ConnectionID(slot: UInt32(slot), generation: slots[slot].generation)
        slots[slot].hasReceiveEnded = true
        queued.append(.receiveFailed(connection, errno))
        if slots[slot].sendBytes != nil {
            slots[slot].sendBytes = nil
            queued.append(.sendFailed(connection, errno))
        }
    }

    func setAccepting(_ enabled: Bool) {
        isAcceptWanted = enabled
        let wanted = enabled && isListening
        guard wanted != isListenWatched else { return }
        if wanted {
            // Out of kernel memory for one registration: accepting resumes when a connection
            // closes and the loop asks again.
            guard case .success = control(EPOLL_CTL_ADD, listenFD, events: EPOLLIN.rawValue, tag: Self.listenTag) else { return }
        } else {
            control(EPOLL_CTL_DEL, listenFD)
        }
        isListenWatched = wanted
    }

    func stopListening() {
        isListening = false
        setAccepting(false)
        control(EPOLL_CTL_DEL, wakeFD)
    }

    var isQuiescent: Bool { registeredCount == 0 }

    @discardableResult
    func reportQueued(_ report: (IOEvent) -> Void) -> Bool {
        queued.report(report)
    }

    func endTurn() {}
}
