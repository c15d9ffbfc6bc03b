#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CURing

/// Waiting, reaping and handling completions.
extension URingBackend {
    /// With DEFER_TASKRUN an enter runs at most 20 pieces of deferred completion work
    /// (IO_LOCAL_TW_DEFAULT_MAX in the kernel's io_uring/io_uring.c), oldest first. When a crowd
    /// of busy connections keeps more than that queued, a quiet connection's receive waits
    /// several turns behind it; so a turn that was handed that many asks for the rest.
    static let deferredWorkPerEnter = 20
    static let entersPerTurnMax = 8

    func poll(timeoutMilliseconds: Int32, _ report: (IOEvent) -> Void) {
        let timeout = reportQueued(report) ? 0 : timeoutMilliseconds
        var wait = __kernel_timespec(tv_sec: Int64(timeout / 1000), tv_nsec: Int64(timeout % 1000) * 1_000_000)
        var first: UnsafeMutablePointer<io_uring_cqe>?
        _ = SystemCall.submitted("io_uring_submit_and_wait_timeout", io_uring_submit_and_wait_timeout(&ring, &first, 1, &wait, nil))
        var enters = 1
        while reapAndHandle(report) >= Self.deferredWorkPerEnter, enters < Self.entersPerTurnMax {
            _ = SystemCall.submitted("io_uring_get_events", io_uring_get_events(&ring))
            enters += 1
        }
    }

    /// Batches of `cqes.count` completions reaped per call at most: without DEFER_TASKRUN the
    /// kernel posts completions while they are handled, and a turn must end to run timers.
    static let batchesPerReapMax = 64

    /// Copies every completion out of the ring and advances it, then handles them: handling
    /// may prepare submissions, and a full queue is submitted from there, which must not run
    /// inside a walk over the completion ring. Returns how many completions there were.
    private func reapAndHandle(_ report: (IOEvent) -> Void) -> Int {
        var handled = 0
        for _ in 0..<Self.batchesPerReapMax {
            let count = cqes.withUnsafeMutableBufferPointer { buffer in
                io_uring_peek_batch_cqe(&ring, buffer.baseAddress, UInt32(buffer.count))
            }
            if count == 0 { break }
            completions.removeAll(keepingCapacity: true)
            for index in 0..<Int(count) {
                let cqe = cqes[index]!.pointee
                completions.append(URingCompletion(userData: URingUserData(rawValue: cqe.user_data), result: cqe.res, flags: cqe.flags))
            }
            io_uring_cq_advance(&ring, count)
            for index in completions.indices { handle(completions[index], report) }
            handled += Int(count)
        }
        return handled
    }

    private func handle(_ completion: URingCompletion, _ report: (IOEvent) -> Void) {
        switch completion.userData.operation {
        case .accept: acceptCompleted(completion, report)
        case .receive: receiveCompleted(completion, report)
        case .send: sendCompleted(completion, report)
        case .wake: wakeCompleted(completion, report)
        case .cancel: break  // the cancelled operation's own completion says what happened
        case nil: preconditionFailure("a completion with user_data \(completion.userData.rawValue), never submitted")
        }
    }

    private func acceptCompleted(_ completion: URingCompletion, _ report: (IOEvent) -> Void) {
        if completion.flags & IORING_CQE_F_MORE == 0 { isAcceptArmed = false }
        if completion.result >= 0 {
            report(.accepted(fd: completion.result))
        } else if case .exhausted(let code) = AcceptOutcome(errno: -completion.result) {
            // Re-arming at once would fail the same way, one completion after another; the
            // loop pauses accepting (`setAccepting(false)`).
            report(.acceptExhausted(errno: code))
        }
        if !isAcceptArmed, isAcceptWanted, isListening { armAccept() }
    }

    private func wakeCompleted(_ completion: URingCompletion, _ report: (IOEvent) -> Void) {
        isWakeArmed = false
        if completion.result == 8 {
            report(.woken)
        } else {
            // -ECANCELED (stopListening) or -EINTR; a short read of an eventfd cannot happen.
            precondition(completion.result < 0, "read of the wake eventfd returned \(completion.result) bytes")
            precondition(!SystemCall.isBug(-completion.result) && -completion.result != EINVAL, "wake read: \(Errno(negated: completion.result))")
        }
        if isListening { armWake() }
    }

    private func receiveCompleted(_ completion: URingCompletion, _ report: (IOEvent) -> Void) {
        let slot = completion.userData.slot
        var bufferID: Int?
        if completion.flags & IORING_CQE_F_BUFFER != 0 { bufferID = Int(completion.flags >> IORING_CQE_BUFFER_SHIFT) }
        let bytes = bufferID.map(provided.take)
        // The buffer goes back after the event is handled (and reaches the kernel at the end of the turn).
        defer { if let bufferID { provided.giveBack(bufferID) } }
        guard slot < slots.count, slots[slot].isCurrent(completion.userData) else { return }  // an earlier connection's
        let armed = slots[slot].receive
        precondition(armed != .none, "a receive completion for slot \(slot) with no receive armed")
        precondition(bufferID == nil || armed == .provided, "a provided buffer named by a receive into slot \(slot)'s own buffer")
        slots[slot].receive = .none
        guard !slots[slot].isClosing else { return releaseIfIdle(slot: slot, report) }
        let connection = ConnectionID(slot: UInt32(slot), generation: slots[slot].generation)
        let outcome = ReceiveOutcome(completionResult: completion.result)
        switch outcome {
        case .received(let count):
            guard let start = bytes ?? (armed == .own ? slots[slot].ownBuffer?.baseAddress : nil) else {
                preconditionFailure("slot \(slot) received \(count) bytes into no buffer")
            }
            report(.received(connection, UnsafeRawBufferPointer(start: start, count: count)))
        case .endOfFile:
            slots[slot].hasReceiveEnded = true
            report(.peerClosed(connection))
        case .failed(let errno):
            slots[slot].hasReceiveEnded = true
            report(.receiveFailed(connection, errno))
        case .retry, .cancelled, .buffersExhausted:
            break
        }
        // After the report: the loop may have paused reading meanwhile.
        rearmReceive(slot: slot, intoOwnBuffer: outcome == .buffersExhausted)
    }

    private func sendCompleted(_ completion: URingCompletion, _ report: (IOEvent) -> Void) {
        let slot = completion.userData.slot
        guard slot < slots.count, slots[slot].isCurrent(completion.userData) else { return }  // an earlier connection's
        precondition(slots[slot].sendBytes != nil, "a send completion for slot \(slot) with no send in flight")
        let connection = ConnectionID(slot: UInt32(slot), generation: slots[slot].generation)
        switch SendOutcome(completionResult: completion.result) {
        case .sent(let count):
            slots[slot].sendBytes = nil
            report(.sent(connection, byteCount: count))
        case .retry:
            submitSend(slot: slot)
        case .failed(let errno):
            slots[slot].sendBytes = nil
            report(.sendFailed(connection, errno))
        }
    }
}
