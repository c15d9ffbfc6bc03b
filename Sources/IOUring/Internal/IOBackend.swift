/// The kernel-facing half of the loop (SwiftNIO's `_SelectorBackendProtocol` shape): it is
/// given descriptors, slots with their generations, and buffers, never the loop or its
/// connection table, and reports what happened as `IOEvent`s. Everything runs on the loop thread.
///
/// Contract, which the backends check with preconditions: at most one send in flight per
/// connection; its bytes stay valid and unmoved until `sent` or `sendFailed` is reported;
/// `close` only once no send is in flight; after `close`, `released` is reported exactly once
/// and nothing else for that connection.
protocol IOBackend: AnyObject {
    var kind: Backend { get }
    /// Starts watching the listening socket and the wake eventfd.
    func start(listenFD: Int32, wakeFD: Int32) throws(EventLoopError)
    /// Reports the events already queued, then waits for the kernel (at most
    /// `timeoutMilliseconds`; not at all when something was queued), reaps, and reports what
    /// the kernel completed.
    func poll(timeoutMilliseconds: Int32, _ report: (IOEvent) -> Void)
    /// Reports the events queued by the calls below since the last report (a send the kernel
    /// took at once, a release with nothing armed); returns whether there were any.
    @discardableResult
    func reportQueued(_ report: (IOEvent) -> Void) -> Bool
    /// Starts reading a newly accepted connection.
    func register(_ connection: ConnectionID, fd: Int32)
    /// Stops reading the connection (its in-flight read may still report) or reads it again.
    func setReceiving(_ connection: ConnectionID, fd: Int32, enabled: Bool)
    /// Starts sending `bytes`, which must stay valid and unmoved until `sent` or `sendFailed`.
    func send(_ connection: ConnectionID, fd: Int32, bytes: UnsafeRawBufferPointer)
    /// Ends what the backend has armed for the connection; `released` follows.
    func close(_ connection: ConnectionID, fd: Int32)
    /// Stops accepting (descriptors ran out, or the loop drains), or starts again.
    func setAccepting(_ enabled: Bool)
    /// Stops accepting for good and cancels the wake read: what `isQuiescent` waits for.
    func stopListening()
    /// Nothing armed in the kernel any more (after `stopListening` and every `released`).
    var isQuiescent: Bool { get }
    /// Ends a turn: io_uring publishes the receive buffers given back this turn.
    func endTurn()
}
