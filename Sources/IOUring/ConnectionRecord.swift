/// The loop's one record per slot (the slot is the socket's descriptor number, so the table is
/// small and dense): which connection holds it, where that connection is in its life, and its
/// output.
struct ConnectionRecord {
    var fd: Int32 = -1
    /// Bumped on every accept into this slot, so events and replies for an earlier connection
    /// are told apart (`ConnectionID`).
    var generation: UInt32 = 0
    var lifecycle = ConnectionLifecycle.free
    var output = SendBuffer()
    /// Tell the delegate once the output is all sent (`EventLoop.notifyWhenDrained`).
    var drainWanted = false
    /// On the loop's list of slots to flush at the end of the turn.
    var isDirty = false

    var isClosing: Bool {
        if case .closing = lifecycle { return true }
        return false
    }
}
