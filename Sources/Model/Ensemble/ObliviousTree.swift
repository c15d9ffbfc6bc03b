/// A symmetric (oblivious) tree: `depth` splits, `1 << depth` leaves.
///
/// Leaf index = Σ_k (split k true) << k; `splits[0]` is the least significant bit, as in
/// CatBoost's evaluator (`index |= (bin >= SplitIdx) << depth`).
public struct ObliviousTree: Sendable, Hashable {
    /// CatBoost's maximum tree depth.
    public static let depthMax = 16

    public var splits: [TreeSplit]
    /// `1 << depth` values, already multiplied by the learning rate.
    public var leafValues: [Double]
    /// Sum of learn-object weights per leaf; empty when unknown.
    public var leafWeights: [Double]

    public init(splits: [TreeSplit], leafValues: [Double], leafWeights: [Double] = []) {
        self.splits = splits
        self.leafValues = leafValues
        self.leafWeights = leafWeights
    }

    public var depth: Int { splits.count }
    public var leafCount: Int { 1 << splits.count }
}
