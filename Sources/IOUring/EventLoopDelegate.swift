/// What the loop reports, always on the loop thread.
public protocol EventLoopDelegate: AnyObject {
    func connectionOpened(_ connection: ConnectionID)
    /// Bytes received; the buffer is valid only during the call.
    func connectionReceived(_ connection: ConnectionID, _ bytes: UnsafeRawBufferPointer)
    /// The peer closed its side (EOF); the delegate calls `close` once it has answered what it got.
    func connectionPeerClosed(_ connection: ConnectionID)
    /// The connection is gone (closed by us, reset, or error); its ID is never reused.
    func connectionClosed(_ connection: ConnectionID)
    /// Everything queued for the connection has been sent, after `notifyWhenDrained` asked.
    func connectionDrained(_ connection: ConnectionID)
    /// accept failed for lack of descriptors or memory (`errno`): the loop stops accepting until
    /// a connection closes or `acceptRetryMilliseconds` pass, and keeps serving the open ones.
    func acceptPaused(errno: Int32)
    /// `Waker.wake()` was called from some thread since the last turn.
    func loopWoken()
    /// Once per loop turn, after all completions: timers, hand-offs, draining.
    func loopTurnEnded(nowNanoseconds: UInt64)
}
