#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys
import CURing

/// Preparing submissions: each goes to the kernel with the next turn's `submit_and_wait`.
extension URingBackend {
    /// A free submission queue entry. When the queue is full, what is queued is handed to the
    /// kernel once (as TigerBeetle's `enqueue` does) and then there must be room: a queue still
    /// full is a bug in sizing the ring (`entries`), and stops the process naming it.
    @inline(__always)
    func submissionEntry(for operation: StaticString) -> UnsafeMutablePointer<io_uring_sqe> {
        if let sqe = io_uring_get_sqe(&ring) { return sqe }
        submissionQueueFlushCount += 1
        _ = SystemCall.submitted("io_uring_submit (submission queue full)", io_uring_submit(&ring))
        guard let sqe = io_uring_get_sqe(&ring) else {
            preconditionFailure("io_uring submission queue (\(entries) entries) still full after io_uring_submit, preparing \(operation)")
        }
        return sqe
    }

    /// The corresponding liburing function is `io_uring_prep_multishot_accept` (Linux 5.19).
    func armAccept() {
        assert(!isAcceptArmed, "a second multishot accept")
        let sqe = submissionEntry(for: "accept")
        io_uring_prep_multishot_accept(sqe, listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
        io_uring_sqe_set_data64(sqe, URingUserData(.accept).rawValue)
        isAcceptArmed = true
    }

    /// The corresponding liburing function is `io_uring_prep_read` on the blocking wake
    /// eventfd (a read on a non-blocking one completes at once with -EAGAIN, a busy loop).
    func armWake() {
        assert(!isWakeArmed, "a second wake read")
        let sqe = submissionEntry(for: "wake read")
        io_uring_prep_read(sqe, wakeFD, wakeValue, 8, 0)
        io_uring_sqe_set_data64(sqe, URingUserData(.wake).rawValue)
        isWakeArmed = true
    }

    /// The corresponding liburing function is `io_uring_prep_cancel64`; the cancelled
    /// operation's own completion (-ECANCELED) says when it is over.
    func cancel(_ target: URingUserData) {
        let sqe = submissionEntry(for: "cancel")
        io_uring_prep_cancel64(sqe, target.rawValue, 0)
        io_uring_sqe_set_data64(sqe, URingUserData(.cancel).rawValue)
    }

    /// A single-shot receive, into a buffer the kernel picks from the provided ring
    /// (`io_uring_prep_recv` with IOSQE_BUFFER_SELECT), or into the slot's own buffer.
    func armReceive(slot: Int, intoOwnBuffer: Bool) {
        precondition(slots[slot].receive == .none, "a second receive armed for slot \(slot)")
        let sqe = submissionEntry(for: "recv")
        if intoOwnBuffer {
            if slots[slot].ownBuffer == nil {
                slots[slot].ownBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: provided.size, alignment: 16)
            }
            let buffer = slots[slot].ownBuffer!
            io_uring_prep_recv(sqe, slots[slot].fd, buffer.baseAddress, buffer.count, 0)
            slots[slot].receive = .own
        } else {
            io_uring_prep_recv(sqe, slots[slot].fd, nil, 0, 0)
            sqe.pointee.flags |= UInt8(1 << IOSQE_BUFFER_SELECT_BIT)
            sqe.pointee.buf_group = Self.bufferGroup
            slots[slot].receive = .provided
        }
        io_uring_sqe_set_data64(sqe, URingUserData(.receive, slot: slot, generation: slots[slot].generation).rawValue)
    }

    /// Arms the next receive unless the connection is paused, closing, at its end, or has one armed.
    func rearmReceive(slot: Int, intoOwnBuffer: Bool) {
        let state = slots[slot]
        guard state.isRegistered, !state.isClosing, !state.hasReceiveEnded, state.isReceiveWanted, state.receive == .none else {
            return
        }
        armReceive(slot: slot, intoOwnBuffer: intoOwnBuffer)
    }

    /// The corresponding liburing function is `io_uring_prep_send` (MSG_NOSIGNAL: a reset peer
    /// is an EPIPE result, not a SIGPIPE). The kernel reads `sendBytes` where they are.
    func submitSend(slot: Int) {
        guard let bytes = slots[slot].sendBytes else { preconditionFailure("no send bytes for slot \(slot)") }
        let sqe = submissionEntry(for: "send")
        io_uring_prep_send(sqe, slots[slot].fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        io_uring_sqe_set_data64(sqe, URingUserData(.send, slot: slot, generation: slots[slot].generation).rawValue)
    }
}
