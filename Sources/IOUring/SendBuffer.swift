/// A connection's output: the bytes of the send in flight, which the kernel reads where they
/// are, and the bytes queued behind them. One send is in flight at a time, so answers never
/// reorder; starting one swaps the two arrays, so nothing is copied and the drained array's
/// capacity is reused.
///
/// The in-flight bytes are handed to the kernel as a pointer that outlives the
/// `withUnsafeBytes` call it came from. Swift promises that only for the call, but a native
/// array's elements live in its heap buffer, which moves only when the array is mutated or
/// freed; `inFlight` is neither until its send's completion (this type has no other way to
/// touch it), and `sendCompleted` checks that the address has not changed.
struct SendBuffer {
    /// What the delegate appends to; it goes out when the send in flight is done.
    private(set) var queued: [UInt8] = []
    private var inFlight: [UInt8] = []
    /// How much of `inFlight` the kernel has taken.
    private var inFlightOffset = 0
    /// `inFlight`'s first byte when the send started: must not move until it completes.
    private var inFlightAddress: UnsafeRawPointer?

    /// Whether a send is in flight (its completion has not been handled).
    var isSending: Bool { inFlightAddress != nil }

    /// Queued plus unsent in-flight bytes.
    var byteCount: Int { queued.count + inFlight.count - inFlightOffset }

    var isEmpty: Bool { queued.isEmpty && !isSending }

    mutating func append(_ write: (inout [UInt8]) -> Void) {
        write(&queued)
    }

    /// Drops what is queued (the bytes in flight, if any, are the kernel's until completion).
    mutating func dropQueued() {
        queued.removeAll()
    }

    /// Makes the queued bytes the send in flight; returns them for the kernel to read.
    mutating func startSending() -> UnsafeRawBufferPointer {
        precondition(!isSending, "a second send while one is in flight")
        precondition(!queued.isEmpty, "a send of nothing")
        swap(&queued, &inFlight)
        inFlightOffset = 0
        let bytes = inFlight.withUnsafeBytes { $0 }
        inFlightAddress = bytes.baseAddress
        return bytes
    }

    /// The kernel took `count` more bytes: the rest still to send (a partial send resumes
    /// with it), or nil once the send is done.
    mutating func sendCompleted(byteCount count: Int) -> UnsafeRawBufferPointer? {
        precondition(isSending, "a send completion with no send in flight")
        precondition(count > 0 && count <= inFlight.count - inFlightOffset, "sent \(count) of \(inFlight.count - inFlightOffset) bytes")
        inFlightOffset += count
        let bytes = inFlight.withUnsafeBytes { $0 }
        precondition(bytes.baseAddress == inFlightAddress, "the bytes in flight moved before their send completed")
        if inFlightOffset < inFlight.count {
            return UnsafeRawBufferPointer(rebasing: bytes[inFlightOffset...])
        }
        endSending()
        return nil
    }

    /// The send in flight failed: its bytes are no longer the kernel's.
    mutating func sendFailed() {
        precondition(isSending, "a send failure with no send in flight")
        endSending()
    }

    private mutating func endSending() {
        inFlight.removeAll(keepingCapacity: true)
        inFlightOffset = 0
        inFlightAddress = nil
    }
}
