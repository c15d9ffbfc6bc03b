#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys

/// Handling what the backend reports. An event for a connection that has gone (its slot
/// reused) is dropped here too, whatever the backend already checked.
extension EventLoop {
    func handle(_ event: IOEvent) {
        switch event {
        case .accepted(let fd): accepted(fd: fd)
        case .acceptExhausted(let code): acceptExhausted(errno: code)
        case .received(let connection, let bytes): received(connection, bytes)
        case .sent(let connection, let count): sent(connection, byteCount: count)
        case .peerClosed(let connection): peerClosed(connection)
        case .receiveFailed(let connection, _): failed(connection, sendEnded: false)
        case .sendFailed(let connection, _): failed(connection, sendEnded: true)
        case .released(let connection): released(connection)
        case .woken: if lifecycle == .running { delegate?.loopWoken() }
        }
    }

    /// A new socket from accept: configured, given its slot (the descriptor number) and read.
    private func accepted(fd: Int32) {
        precondition(fd >= 0, "accept returned descriptor \(fd)")
        let slot = Int(fd)
        guard acceptState != .stopped, slot < records.count else {
            SystemCall.close(fd)
            return
        }
        // The descriptor was closed only on release, so its slot must be free.
        precondition(records[slot].lifecycle == .free, "descriptor \(fd) accepted while its slot is \(records[slot].lifecycle)")
        var one: Int32 = 1
        // Only an optimisation for small answers: a socket that refuses it is served without it.
        _ = SystemCall.run("setsockopt(TCP_NODELAY)") {
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        records[slot].fd = fd
        records[slot].generation &+= 1
        records[slot].lifecycle = .open(receivePaused: false)
        records[slot].drainWanted = false
        assert(records[slot].output.isEmpty, "slot \(slot) reused with output left")
        openConnectionCount += 1
        let connection = id(of: slot)
        io.register(connection, fd: fd)
        delegate?.connectionOpened(connection)
    }

    /// accept failed for lack of descriptors or memory, so retrying at once would only spin:
    /// paused until a connection closes or the retry interval passes.
    private func acceptExhausted(errno code: Int32) {
        guard acceptState == .accepting else { return }
        acceptState = .paused(until: nowNanoseconds + acceptRetryMilliseconds * 1_000_000)
        io.setAccepting(false)
        delegate?.acceptPaused(errno: code)
    }

    func resumeAccepting() {
        guard case .paused = acceptState else { return }
        acceptState = .accepting
        io.setAccepting(true)
    }

    private func received(_ connection: ConnectionID, _ bytes: UnsafeRawBufferPointer) {
        guard let slot = liveSlot(connection) else { return }
        switch records[slot].lifecycle {
        case .open:
            delegate?.connectionReceived(connection, bytes)
        case .lingering(let deadline, let discarded):
            // Discarded; a peer that keeps sending past the budget is cut off.
            let total = discarded + bytes.count
            records[slot].lifecycle = .lingering(deadline: deadline, discardedByteCount: total)
            if total > lingerBytesMax { endLingering(slot: slot) }
        case .peerClosed, .closing, .releasing, .free:
            return  // closing: discarded
        }
    }

    /// The send in flight took `count` bytes: the rest goes next, still one send in flight.
    private func sent(_ connection: ConnectionID, byteCount count: Int) {
        guard let slot = liveSlot(connection) else { return }
        if let rest = records[slot].output.sendCompleted(byteCount: count) {
            io.send(connection, fd: records[slot].fd, bytes: rest)
            return
        }
        if !records[slot].output.queued.isEmpty || records[slot].drainWanted || records[slot].isClosing {
            markDirty(slot)
        }
    }

    private func peerClosed(_ connection: ConnectionID) {
        guard let slot = liveSlot(connection) else { return }
        switch records[slot].lifecycle {
        case .open:
            records[slot].lifecycle = .peerClosed
            delegate?.connectionPeerClosed(connection)
        case .closing(linger: true):
            records[slot].lifecycle = .closing(linger: false)  // nothing left to wait for
        case .lingering:
            endLingering(slot: slot)
        case .closing(linger: false), .peerClosed, .releasing, .free:
            return
        }
    }

    /// A socket error (reset, broken pipe): nothing more can be sent or received.
    private func failed(_ connection: ConnectionID, sendEnded: Bool) {
        guard let slot = liveSlot(connection) else { return }
        if sendEnded { records[slot].output.sendFailed() }
        guard records[slot].lifecycle != .releasing else { return }
        records[slot].output.dropQueued()
        records[slot].drainWanted = false
        records[slot].lifecycle = .closing(linger: false)
        markDirty(slot)
    }

    /// The backend holds nothing of the connection: its descriptor is closed and its slot free.
    private func released(_ connection: ConnectionID) {
        let slot = Int(connection.slot)
        precondition(slot < records.count && records[slot].generation == connection.generation, "release of \(connection), not the slot's")
        precondition(records[slot].lifecycle == .releasing, "release of \(connection) while \(records[slot].lifecycle)")
        precondition(!records[slot].output.isSending, "release of \(connection) with a send in flight")
        SystemCall.close(records[slot].fd)
        records[slot].fd = -1
        records[slot].lifecycle = .free
        records[slot].output = SendBuffer()  // a large connection's buffers are not kept
        records[slot].drainWanted = false
        openConnectionCount -= 1
        delegate?.connectionClosed(connection)
        resumeAccepting()  // a descriptor is free again
    }
}
