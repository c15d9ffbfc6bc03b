#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys
import CURing

/// The io_uring backend: one multishot accept, one recv at a time per connection reading into a
/// shared provided-buffer ring, at most one send in flight per connection, an armed read on the
/// wake eventfd, and one `submit_and_wait` per loop turn (as in TigerBeetle's completion
/// handling, every CQE is matched to its operation by user_data, and a CQE for a slot whose
/// generation moved on is dropped).
///
/// The recv is single-shot, re-armed after each completion, so a connection hands over at most
/// one buffer per turn, as under epoll. A multishot recv copied everything the socket held into
/// provided buffers in one turn: with 100 clients pipelining without reading, 160 MB of input
/// sat in the server, and the deferred work of their receives queued ahead of a new client's
/// accept for seconds (DEFER_TASKRUN runs a bounded amount of it per enter).
final class URingPoller: Poller {
    let backend = Backend.ioUring
    private var ring = io_uring()
    /// Set once `ring` is initialised: from then on deinit must exit it, whatever fails later.
    private var ringIsOpen = false
    private let provided: ProvidedBuffers
    private var buffersToReturn: Int32 = 0
    private static let bufferGroup: UInt16 = 0
    private var listenFD: Int32 = -1
    private var wakeFD: Int32 = -1
    private var wakeValue: UInt64 = 0
    /// Whether the multishot accept is armed (its last CQE comes without IORING_CQE_F_MORE).
    private var acceptArmed = false
    private var cqes = [UnsafeMutablePointer<io_uring_cqe>?](repeating: nil, count: 512)
    /// Per slot: is a recv armed, the bytes of the send in flight (owned here until its CQE),
    /// and whether the slot waits to be released once nothing is armed.
    private var recvArmed: [Bool] = []
    private var sendBuffers: [UnsafeMutableRawBufferPointer?] = []
    private var releasing: [Bool] = []
    /// Per slot: a buffer of the connection's own, read into instead of a provided one after the
    /// provided buffers ran out (-ENOBUFS). Busy connections can take every returned buffer
    /// before a re-armed recv runs, so without its own buffer a quiet connection could wait as
    /// long as they keep sending.
    private var ownBuffers: [UnsafeMutableRawBufferPointer?] = []
    private let injectedFailure: URingSetupFailure?

    enum Operation: UInt64 {
        case accept = 1, recv, send, wake, cancel
    }

    /// user_data = operation (8 bits) | generation (24 bits) | slot (32 bits).
    private static func userData(_ operation: Operation, slot: Int = 0, generation: UInt32 = 0) -> UInt64 {
        operation.rawValue << 56 | UInt64(generation & 0xFF_FFFF) << 32 | UInt64(UInt32(slot))
    }

    /// Each step that can fail throws with its errno and leaves nothing to free twice: the
    /// buffers belong to `ProvidedBuffers` (freed by its own deinit), the ring to deinit here
    /// once `ringIsOpen` is set.
    init(entries: UInt32, bufferCount: Int, bufferSize: Int, injectedFailure: URingSetupFailure? = nil) throws(EventLoopError) {
        self.injectedFailure = injectedFailure
        provided = try ProvidedBuffers(count: bufferCount, size: bufferSize)
        var params = io_uring_params()
        var result: Int32 = -EINVAL
        // Newest flags first; EINVAL means an older kernel, so drop flags one by one.
        let attempts: [UInt32] = [
            IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE,
            IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE,
            IORING_SETUP_COOP_TASKRUN | IORING_SETUP_CQSIZE,
            IORING_SETUP_CQSIZE,
        ]
        for flags in attempts {
            params = io_uring_params()
            params.flags = flags
            params.cq_entries = entries * 8
            result = injectedFailure?.result(at: .queueInit) ?? io_uring_queue_init_params(entries, &ring, &params)
            if result != -EINVAL { break }
        }
        guard result == 0 else {
            // -EPERM/-EACCES: seccomp or kernel.io_uring_disabled; -ENOSYS: seccomp or no io_uring.
            throw EventLoopError.errno("io_uring_queue_init_params", -result)
        }
        ringIsOpen = true
        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: provided.ring))
        registration.ring_entries = UInt32(bufferCount)
        registration.bgid = Self.bufferGroup
        // -EINVAL before Linux 5.19 (no IORING_REGISTER_PBUF_RING), -ENOMEM, -EPERM.
        let registered = injectedFailure?.result(at: .registerBufferRing) ?? io_uring_register_buf_ring(&ring, &registration, 0)
        guard registered == 0 else { throw EventLoopError.errno("io_uring_register_buf_ring", -registered) }
        provided.fill()
    }

    deinit {
        if ringIsOpen { io_uring_queue_exit(&ring) }
        for buffer in sendBuffers { buffer?.deallocate() }
        for buffer in ownBuffers { buffer?.deallocate() }
    }

    /// A submission slot; when the SQ is full, submit what is queued and retry.
    private func submissionEntry() -> UnsafeMutablePointer<io_uring_sqe> {
        while true {
            if let sqe = io_uring_get_sqe(&ring) { return sqe }
            _ = io_uring_submit(&ring)
        }
    }

    func start(listenFD: Int32, wakeFD: Int32) throws(EventLoopError) {
        self.listenFD = listenFD
        self.wakeFD = wakeFD
        armAccept()
        armWake()
        let submitted = injectedFailure?.result(at: .submit) ?? io_uring_submit(&ring)
        guard submitted >= 0 else { throw .errno("io_uring_submit", -submitted) }
    }

    private func armAccept() {
        let sqe = submissionEntry()
        io_uring_prep_multishot_accept(sqe, listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
        io_uring_sqe_set_data64(sqe, Self.userData(.accept))
        acceptArmed = true
    }

    private func cancel(_ userData: UInt64) {
        let sqe = submissionEntry()
        io_uring_prep_cancel64(sqe, userData, 0)
        io_uring_sqe_set_data64(sqe, Self.userData(.cancel))
    }

    private func armWake() {
        let sqe = submissionEntry()
        withUnsafeMutablePointer(to: &wakeValue) { value in
            io_uring_prep_read(sqe, wakeFD, value, 8, 0)
        }
        io_uring_sqe_set_data64(sqe, Self.userData(.wake))
    }

    private func armRecv(slot: Int, loop: EventLoop) {
        let sqe = submissionEntry()
        io_uring_prep_recv(sqe, loop.connections[slot].fd, nil, 0, 0)
        sqe.pointee.flags |= UInt8(1 << IOSQE_BUFFER_SELECT_BIT)
        sqe.pointee.buf_group = Self.bufferGroup
        io_uring_sqe_set_data64(sqe, Self.userData(.recv, slot: slot, generation: loop.connections[slot].generation))
        recvArmed[slot] = true
    }

    /// A single-shot recv into the slot's own buffer (see `ownBuffers`).
    private func armOwnRecv(slot: Int, loop: EventLoop) {
        if ownBuffers[slot] == nil {
            ownBuffers[slot] = UnsafeMutableRawBufferPointer.allocate(byteCount: provided.size, alignment: 16)
        }
        let buffer = ownBuffers[slot]!
        let sqe = submissionEntry()
        io_uring_prep_recv(sqe, loop.connections[slot].fd, buffer.baseAddress, buffer.count, 0)
        io_uring_sqe_set_data64(sqe, Self.userData(.recv, slot: slot, generation: loop.connections[slot].generation))
        recvArmed[slot] = true
    }

    private func ensureCapacity(_ count: Int) {
        if recvArmed.count < count {
            recvArmed += Array(repeating: false, count: count - recvArmed.count)
            sendBuffers += Array(repeating: nil, count: count - sendBuffers.count)
            releasing += Array(repeating: false, count: count - releasing.count)
            ownBuffers += Array(repeating: nil, count: count - ownBuffers.count)
        }
    }

    func connectionAdded(slot: Int, loop: EventLoop) {
        ensureCapacity(loop.connections.count)
        armRecv(slot: slot, loop: loop)
    }

    func poll(loop: EventLoop, timeoutMilliseconds: Int32) {
        ensureCapacity(loop.connections.count)
        var timeout = __kernel_timespec(
            tv_sec: Int64(timeoutMilliseconds / 1000), tv_nsec: Int64(timeoutMilliseconds % 1000) * 1_000_000)
        var first: UnsafeMutablePointer<io_uring_cqe>?
        _ = io_uring_submit_and_wait_timeout(&ring, &first, 1, &timeout, nil)
        // With DEFER_TASKRUN an enter runs at most 20 pieces of deferred completion work
        // (IO_LOCAL_TW_DEFAULT_MAX in the kernel's io_uring/io_uring.c), oldest first. When a
        // crowd of busy connections keeps more than that queued, a quiet connection's receive
        // waits several turns behind it; so a turn that was handed that many asks for the rest.
        var enters = 1
        while handleCompletions(loop: loop) >= Self.deferredWorkPerEnter, enters < Self.entersPerTurnMax {
            _ = io_uring_get_events(&ring)
            enters += 1
        }
    }

    private static let deferredWorkPerEnter = 20
    private static let entersPerTurnMax = 8

    /// Handles every completion in the ring; returns how many.
    private func handleCompletions(loop: EventLoop) -> Int {
        var handled = 0
        while true {
            let count = cqes.withUnsafeMutableBufferPointer { buffer in
                io_uring_peek_batch_cqe(&ring, buffer.baseAddress, UInt32(buffer.count))
            }
            if count == 0 { return handled }
            for index in 0..<Int(count) {
                let cqe = cqes[index]!.pointee
                handle(userData: cqe.user_data, result: cqe.res, flags: cqe.flags, loop: loop)
            }
            io_uring_cq_advance(&ring, count)
            handled += Int(count)
        }
    }

    private func handle(userData: UInt64, result: Int32, flags: UInt32, loop: EventLoop) {
        let slot = Int(userData & 0xFFFF_FFFF)
        let generation = UInt32((userData >> 32) & 0xFF_FFFF)
        switch Operation(rawValue: userData >> 56) {
        case .accept:
            if result >= 0 {
                loop.accepted(fd: result)
            } else if case .exhausted(let code) = AcceptOutcome(errno: -result) {
                // Re-arming at once would fail the same way, one CQE after another.
                loop.acceptFailed(errno: code)
            }
            if flags & IORING_CQE_F_MORE == 0 {
                acceptArmed = false
                if loop.accepting, loop.acceptPausedUntil == nil { armAccept() }
            }
        case .recv:
            guard loop.connections[slot].open, loop.connections[slot].generation & 0xFF_FFFF == generation else {
                if result > 0, flags & IORING_CQE_F_BUFFER != 0 { returnBuffer(flags: flags) }
                return
            }
            recvCompleted(slot: slot, result: result, flags: flags, loop: loop)
        case .send:
            sendBuffers[slot]?.deallocate()
            sendBuffers[slot] = nil
            guard loop.connections[slot].open, loop.connections[slot].generation & 0xFF_FFFF == generation else { return }
            if releasing[slot] {
                finishReleaseIfIdle(slot: slot, loop: loop)
            } else if result >= 0 {
                loop.sent(slot: slot, count: Int(result))
            } else {
                loop.failed(slot: slot)
            }
        case .wake:
            loop.woken()
            armWake()
        case .cancel, nil:
            break
        }
    }

    /// A recv came back: its bytes go to the loop, then the next recv is armed unless the
    /// connection is paused, closing or gone.
    private func recvCompleted(slot: Int, result: Int32, flags: UInt32, loop: EventLoop) {
        recvArmed[slot] = false
        defer { finishReleaseIfIdle(slot: slot, loop: loop) }
        if result > 0 {
            if flags & IORING_CQE_F_BUFFER != 0 {
                let id = Int(flags >> IORING_CQE_BUFFER_SHIFT)
                loop.received(slot: slot, UnsafeRawBufferPointer(start: provided.buffer(id), count: Int(result)))
                returnBuffer(flags: flags)
            } else if let buffer = ownBuffers[slot] {
                // No provided buffer named: the recv read into the slot's own.
                loop.received(slot: slot, UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(result)))
            }
        } else if result == 0 {
            loop.peerClosed(slot: slot)
            return
        } else if result != -ENOBUFS, result != -ECANCELED {
            if !releasing[slot] { loop.failed(slot: slot) }
            return
        }
        // -ECANCELED: the kernel gave up on it; the connection is read again if still open.
        guard !releasing[slot], loop.connections[slot].open, !loop.connections[slot].receivePaused else { return }
        if result == -ENOBUFS {
            armOwnRecv(slot: slot, loop: loop)
        } else {
            armRecv(slot: slot, loop: loop)
        }
    }

    private func returnBuffer(flags: UInt32) {
        provided.give(back: Int(flags >> IORING_CQE_BUFFER_SHIFT), at: buffersToReturn)
        buffersToReturn += 1
    }

    func receivingChanged(slot: Int, loop: EventLoop) {
        // Paused, the recv in flight (one buffer at most) is let finish and not re-armed, which
        // costs no cancel and no system call; resumed, a recv is armed unless one still is.
        guard !releasing[slot], !loop.connections[slot].receivePaused, !recvArmed[slot] else { return }
        armRecv(slot: slot, loop: loop)
    }

    func pauseAccepting() {
        if acceptArmed { cancel(Self.userData(.accept)) }
    }

    func resumeAccepting() {
        if !acceptArmed { armAccept() }
    }

    func send(slot: Int, loop: EventLoop) {
        // Read in place: a copy of the connection's state retains and releases both buffers.
        let offset = loop.connections[slot].inFlightOffset
        let remaining = loop.connections[slot].inFlight.count - offset
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: remaining, alignment: 16)
        loop.connections[slot].inFlight.withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
        sendBuffers[slot]?.deallocate()
        sendBuffers[slot] = buffer
        let sqe = submissionEntry()
        io_uring_prep_send(sqe, loop.connections[slot].fd, buffer.baseAddress, remaining, Int32(MSG_NOSIGNAL))
        io_uring_sqe_set_data64(sqe, Self.userData(.send, slot: slot, generation: loop.connections[slot].generation))
    }

    func close(slot: Int, loop: EventLoop) {
        releasing[slot] = true
        // Ends the armed recv (its CQE comes back with 0 or an error).
        if recvArmed[slot] { shutdown(loop.connections[slot].fd, Int32(SHUT_RDWR)) }
        finishReleaseIfIdle(slot: slot, loop: loop)
    }

    private func finishReleaseIfIdle(slot: Int, loop: EventLoop) {
        guard releasing[slot], !recvArmed[slot], sendBuffers[slot] == nil else { return }
        releasing[slot] = false
        loop.release(slot: slot)
    }

    func stopAccepting(listenFD: Int32) {
        if acceptArmed { cancel(Self.userData(.accept)) }
    }

    func endTurn() {
        if buffersToReturn > 0 {
            provided.advance(by: buffersToReturn)
            buffersToReturn = 0
        }
    }

    func submitNow() {
        _ = io_uring_submit(&ring)
    }
}
