public import Model

/// The state a run can be resumed from: everything the loop carries between iterations that
/// cannot be recomputed from the data and the trees.
public struct TrainingProgress: Sendable {
    public var trees: [ObliviousTree]
    public var bias: Double
    public var random: RandomGenerator
    public var learnHistory: [Double]
    public var evalHistory: [Double]
}
