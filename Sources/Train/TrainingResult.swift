public import Model

/// What a finished (or stopped) training run produced.
public struct TrainingResult: Sendable {
    public var ensemble: Ensemble
    public var parameters: TrainingParameters
    /// The learn metric after each iteration (the loss on all learn objects).
    public var learnHistory: [Double]
    /// The eval metric after each iteration; empty without an eval set.
    public var evalHistory: [Double]
    public var bestIteration: Int?
    /// Why training ended before `iterations`, if it did.
    public var stopReason: String?
    /// The loop's state when it ended (before any use_best_model shrinking), for a checkpoint.
    public var progress: TrainingProgress
    /// Whether SIGTERM (on any rank of a multi-host job) ended training early.
    public var wasTerminated = false
}
