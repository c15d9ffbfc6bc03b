/// Where the loop is in its life (SwiftNIO's `SelectableEventLoop.InternalState` in small).
enum LoopLifecycle: Equatable {
    /// Turning: waiting, handling events, flushing output.
    case running
    /// `stop()` was called: every connection is being closed and the kernel is handing back
    /// what it holds (armed reads, sends in flight, the accept and the wake read).
    case quiescing
    /// `run()` has returned.
    case finished
}
