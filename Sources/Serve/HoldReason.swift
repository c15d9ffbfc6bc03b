/// Why a parsed request waits instead of being answered at once.
enum HoldReason: Equatable {
    /// The connection's unsent answers passed `queuedOutputBytesMax`: answered once they drain.
    case backedUp
    /// The turn's `pipelinedRequestsPerTurn` was spent: answered in a later turn.
    case yielded
}
