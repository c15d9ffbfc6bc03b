/// Whether the loop takes new connections.
enum AcceptState: Equatable {
    case accepting
    /// accept ran out of descriptors or memory: resting until a connection closes or this
    /// monotonic time passes.
    case paused(until: UInt64)
    /// `stopAccepting()` (draining) or the loop is ending: never again.
    case stopped
}
