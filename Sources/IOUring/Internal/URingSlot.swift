/// What the io_uring backend has in the kernel for one connection slot.
struct URingSlot: BackendSlot {
    /// Which receive is armed: none, one into a provided buffer, or one into the slot's own
    /// buffer (after the provided buffers ran out).
    enum Receive: Equatable {
        case none, provided, own
    }

    var fd: Int32 = -1
    var generation: UInt32 = 0
    /// Between `register` and the `released` report.
    var isRegistered = false
    /// `close` was called; `released` is reported once nothing is armed.
    var isClosing = false
    /// The loop reads this connection (`setReceiving`); when it stops, the armed receive is let
    /// finish and not re-armed.
    var isReceiveWanted = false
    /// EOF or a receive failure: never armed again.
    var hasReceiveEnded = false
    var receive = Receive.none
    /// The bytes of the send in flight (owned by the loop; valid until their completion).
    var sendBytes: UnsafeRawBufferPointer?
    /// A buffer of the connection's own, read into instead of a provided one after the provided
    /// buffers ran out (-ENOBUFS). Busy connections can take every returned buffer before a
    /// re-armed receive runs, so without its own buffer a quiet connection could wait as long
    /// as they keep sending. Kept for the slot's next connections.
    var ownBuffer: UnsafeMutableRawBufferPointer?

    /// Whether a completion for `userData` is for this slot's current connection.
    func isCurrent(_ userData: URingUserData) -> Bool {
        isRegistered && userData.matches(generation: generation)
    }
}
