#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Starting sends, closing, and lingering.
extension EventLoop {
    /// Flushes every connection with new output. A send the kernel took at once, a drained
    /// connection's delegate queueing more (a held request answered) and a release each
    /// produce more work: it goes out this turn, not after the next wait.
    func flushAll() {
        for _ in 0..<4 {
            flush()
            let reported = io.reportQueued { handle($0) }
            if dirtySlots.isEmpty, !reported { return }
        }
        if !dirtySlots.isEmpty { requestImmediateTurn() }
    }

    /// Starts a send on every dirty connection with queued output and no send in flight;
    /// closes those that asked to and have nothing left to send.
    private func flush() {
        swap(&dirtySlots, &flushingSlots)
        defer { flushingSlots.removeAll(keepingCapacity: true) }
        for slot in flushingSlots {
            records[slot].isDirty = false
            flush(slot: slot)
        }
    }

    private func flush(slot: Int) {
        switch records[slot].lifecycle {
        case .open, .peerClosed, .closing: break
        case .free, .lingering, .releasing: return
        }
        if !records[slot].output.isSending, !records[slot].output.queued.isEmpty {
            let bytes = records[slot].output.startSending()
            io.send(id(of: slot), fd: records[slot].fd, bytes: bytes)
        }
        guard records[slot].output.isEmpty else { return }
        if case .closing(let linger) = records[slot].lifecycle {
            finishClosing(slot: slot, linger: linger)
        } else if records[slot].drainWanted {
            records[slot].drainWanted = false
            delegate?.connectionDrained(id(of: slot))
        }
    }

    /// Everything is sent and the connection should close: at once, or after lingering.
    private func finishClosing(slot: Int, linger: Bool) {
        let connection = id(of: slot)
        guard linger, lingerMilliseconds > 0 else {
            records[slot].lifecycle = .releasing
            io.close(connection, fd: records[slot].fd)
            return
        }
        SystemCall.shutdown(records[slot].fd, Int32(SHUT_WR))
        records[slot].lifecycle = .lingering(deadline: nowNanoseconds &+ lingerMilliseconds * 1_000_000, discardedByteCount: 0)
        lingering.append(connection)
        // Discarding input means reading it, even if the delegate had paused reading.
        io.setReceiving(connection, fd: records[slot].fd, enabled: true)
    }

    func endLingering(slot: Int) {
        records[slot].lifecycle = .closing(linger: false)
        markDirty(slot)
    }

    func endExpiredLingering(now: UInt64) {
        lingering.removeAll { connection in
            guard let slot = liveSlot(connection), case .lingering(let deadline, _) = records[slot].lifecycle else { return true }
            guard now >= deadline else { return false }
            endLingering(slot: slot)
            return true
        }
    }

    /// Drops queued output and closes. A send in flight to a peer that never reads would hold
    /// the close back forever, so the socket is shut down, which ends the send (EPIPE).
    func abort(slot: Int) {
        guard records[slot].lifecycle.isLive else { return }
        records[slot].output.dropQueued()
        records[slot].drainWanted = false
        if records[slot].output.isSending { SystemCall.shutdown(records[slot].fd, Int32(SHUT_RDWR)) }
        records[slot].lifecycle = .closing(linger: false)
        markDirty(slot)
    }
}
