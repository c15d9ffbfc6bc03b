import Model

/// A model requests are answered with: its evaluator, and a number that tells it apart from
/// the other models a multi-model endpoint holds (the batcher coalesces rows per number).
struct ScoringModel: Sendable {
    /// Unique for the server's life: a model unloaded and loaded again gets a new one.
    let id: Int
    let evaluator: Evaluator
}
