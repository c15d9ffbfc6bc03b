#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys
import CURing

/// The io_uring backend, through liburing 2.3 (Debian bookworm's; no `io_uring_setup_buf_ring`,
/// so the provided-buffer ring is set up by hand). It needs Linux 5.19 (provided-buffer rings
/// and multishot accept), and uses SINGLE_ISSUER and DEFER_TASKRUN (6.1) when the kernel has
/// them, dropping flags one by one on EINVAL.
///
/// One multishot accept; per connection, one receive at a time into the shared provided-buffer
/// ring and at most one send in flight; an armed read on the wake eventfd; one
/// `submit_and_wait` per loop turn. Completions are copied out of the ring, the ring advanced,
/// and only then handled (`URingBackend+Completions.swift`); a completion for a slot whose
/// connection has moved on is dropped.
///
/// The receive is single-shot, re-armed after each completion, so a connection hands over at
/// most one buffer per turn, as under epoll. A multishot receive copied everything the socket
/// held into provided buffers in one turn: with 100 clients pipelining without reading, 160 MB
/// of input sat in the server, and the deferred work of their receives queued ahead of a new
/// client's accept for seconds (DEFER_TASKRUN runs a bounded amount of it per enter).
final class URingBackend: IOBackend {
    let kind = Backend.ioUring
    var ring = io_uring()
    /// Set once `ring` is initialised: from then on deinit must exit it, whatever fails later.
    private var ringIsOpen = false
    /// Submission queue entries (the completion queue has 8 times as many).
    let entries: UInt32
    let provided: ProvidedBuffers
    var slots: [URingSlot]
    /// How many slots are registered (between `register` and `released`).
    var registeredCount = 0
    var listenFD: Int32 = -1
    var wakeFD: Int32 = -1
    /// The wake read's 8 bytes: the kernel writes them whenever the read completes, so they are
    /// freed only once no read is armed.
    let wakeValue = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
    /// Whether the multishot accept is armed (its last completion comes without IORING_CQE_F_MORE).
    var isAcceptArmed = false
    /// Whether the loop wants connections accepted (paused at the descriptor limit, stopped when draining).
    var isAcceptWanted = true
    var isWakeArmed = false
    /// Cleared by `stopListening`: neither the accept nor the wake read is armed again.
    var isListening = true
    /// Events produced outside completion handling (a release with nothing armed), for `reportQueued`.
    let queued = EventQueue()
    var cqes = [UnsafeMutablePointer<io_uring_cqe>?](repeating: nil, count: 512)
    var completions: [URingCompletion] = []
    /// How often a full submission queue was handed to the kernel early (tests read it).
    var submissionQueueFlushCount = 0
    private let injectedFailure: URingSetupFailure?

    /// Each step that can fail throws with its errno and leaves nothing to free twice: the
    /// buffers belong to `ProvidedBuffers` (freed by its own deinit), the ring to deinit here
    /// once `ringIsOpen` is set.
    init(
        entries: UInt32, slotCount: Int, bufferCount: Int, bufferSize: Int, injectedFailure: URingSetupFailure? = nil
    ) throws(EventLoopError) {
        self.entries = entries
        self.injectedFailure = injectedFailure
        slots = Array(repeating: URingSlot(), count: slotCount)
        completions.reserveCapacity(cqes.count)
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
            // Room for every connection's receive and send completion to wait a turn; at least
            // 1024 so a small submission queue (tests) does not also shrink this.
            params.cq_entries = max(entries * 8, 1024)
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

    static let bufferGroup: UInt16 = 0

    deinit {
        if ringIsOpen { io_uring_queue_exit(&ring) }
        for slot in slots { slot.ownBuffer?.deallocate() }
        // An armed read may still complete while the kernel tears the ring down: its 8 bytes
        // are then left allocated rather than written after being freed.
        if !isWakeArmed { wakeValue.deallocate() }
    }

    func start(listenFD: Int32, wakeFD: Int32) throws(EventLoopError) {
        self.listenFD = listenFD
        self.wakeFD = wakeFD
        armAccept()
        armWake()
        let submitted = injectedFailure?.result(at: .submit) ?? io_uring_submit(&ring)
        guard submitted >= 0 else {
            isAcceptArmed = false  // the kernel took neither
            isWakeArmed = false
            throw .errno("io_uring_submit", -submitted)
        }
    }

    // MARK: - IOBackend

    func register(_ connection: ConnectionID, fd: Int32) {
        let slot = Int(connection.slot)
        precondition(slot < slots.count, "slot \(slot) past the table of \(slots.count)")
        precondition(!slots[slot].isRegistered, "slot \(slot) registered again before its release")
        slots[slot].fd = fd
        slots[slot].generation = connection.generation
        slots[slot].isRegistered = true
        slots[slot].isClosing = false
        slots[slot].isReceiveWanted = true
        slots[slot].hasReceiveEnded = false
        assert(slots[slot].receive == .none && slots[slot].sendBytes == nil, "slot \(slot) released with operations armed")
        registeredCount += 1
        armReceive(slot: slot, intoOwnBuffer: false)
    }

    func setReceiving(_ connection: ConnectionID, fd: Int32, enabled: Bool) {
        let slot = slots.slot(of: connection)
        // Paused, the receive in flight (one buffer at most) is let finish and not re-armed,
        // which costs no cancel and no system call; resumed, one is armed unless one still is.
        slots[slot].isReceiveWanted = enabled
        if enabled { rearmReceive(slot: slot, intoOwnBuffer: false) }
    }

    func send(_ connection: ConnectionID, fd: Int32, bytes: UnsafeRawBufferPointer) {
        let slot = slots.slot(of: connection)
        precondition(!slots[slot].isClosing, "a send on a closing connection \(connection)")
        precondition(slots[slot].sendBytes == nil, "a second send in flight for \(connection)")
        precondition(!bytes.isEmpty, "a send of nothing")
        slots[slot].sendBytes = bytes
        submitSend(slot: slot)
    }

    func close(_ connection: ConnectionID, fd: Int32) {
        let slot = slots.slot(of: connection)
        precondition(!slots[slot].isClosing, "\(connection) closed twice")
        precondition(slots[slot].sendBytes == nil, "\(connection) closed with a send in flight")
        slots[slot].isClosing = true
        if slots[slot].receive != .none {
            // Ends the armed receive: it completes with 0 or an error, and the release follows.
            // A socket already reset has no connection to shut down: cancel the receive instead.
            if case .failure(let errno) = SystemCall.shutdown(fd, Int32(SHUT_RDWR)), errno.code == ENOTCONN {
                cancel(URingUserData(.receive, slot: slot, generation: connection.generation))
            }
        }
        releaseIfIdle(slot: slot) { queued.append($0) }
    }

    func setAccepting(_ enabled: Bool) {
        isAcceptWanted = enabled
        if enabled {
            if !isAcceptArmed, isListening { armAccept() }
        } else if isAcceptArmed {
            // Its last completion (-ECANCELED, without F_MORE) clears `isAcceptArmed`.
            cancel(URingUserData(.accept))
        }
    }

    func stopListening() {
        isListening = false
        setAccepting(false)
        if isWakeArmed { cancel(URingUserData(.wake)) }
    }

    var isQuiescent: Bool { !isAcceptArmed && !isWakeArmed && registeredCount == 0 }

    @discardableResult
    func reportQueued(_ report: (IOEvent) -> Void) -> Bool {
        queued.report(report)
    }

    func endTurn() {
        provided.publishReturns()
    }

    /// Reports `released` once a closing slot has nothing armed, and frees the slot.
    func releaseIfIdle(slot: Int, _ report: (IOEvent) -> Void) {
        guard slots[slot].isClosing, slots[slot].receive == .none else { return }
        assert(slots[slot].sendBytes == nil)
        slots[slot].isClosing = false
        slots[slot].isRegistered = false
        registeredCount -= 1
        report(.released(ConnectionID(slot: UInt32(slot), generation: slots[slot].generation)))
    }
}
