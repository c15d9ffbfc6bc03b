import Model

/// A candidate split of every leaf of a level: "feature's bin > borderIndex".
struct SplitCandidate: Sendable, Equatable {
    var feature: Int
    var borderIndex: Int
    var score: Double
}
