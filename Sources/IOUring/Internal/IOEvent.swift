/// What a backend reports to the loop: one small closed set for both backends. A backend
/// reports through a closure, after it has reaped what the kernel completed (never from inside
/// the reaping), so the loop may start new operations from any event.
enum IOEvent {
    /// A new connection's socket; the loop gives it a slot or closes it.
    case accepted(fd: Int32)
    /// accept failed for lack of descriptors or memory: accepting again at once would fail the
    /// same way (`AcceptOutcome.exhausted`).
    case acceptExhausted(errno: Int32)
    /// Bytes read for the connection, valid only while the event is handled.
    case received(ConnectionID, UnsafeRawBufferPointer)
    /// The send in flight took `byteCount` bytes (perhaps fewer than asked; at least one).
    case sent(ConnectionID, byteCount: Int)
    /// The peer closed its side: nothing more will be received.
    case peerClosed(ConnectionID)
    /// Receiving failed: the connection is broken; nothing more will be received.
    case receiveFailed(ConnectionID, Errno)
    /// The send in flight failed: the connection is broken; its bytes are the loop's again.
    case sendFailed(ConnectionID, Errno)
    /// After `close`: the backend holds nothing of the connection any more, so its descriptor
    /// may be closed and its slot reused.
    case released(ConnectionID)
    /// The wake eventfd was written.
    case woken
}
