/// One level of an oblivious tree: every node of the level asks the same question,
/// "is feature `featureIndex`'s value strictly greater than its border `borderIndex`?".
public struct TreeSplit: Sendable, Hashable {
    /// Index into `Ensemble.features` (not the input column).
    public var featureIndex: Int
    /// Index into that feature's `borders`.
    public var borderIndex: Int

    public init(featureIndex: Int, borderIndex: Int) {
        self.featureIndex = featureIndex
        self.borderIndex = borderIndex
    }
}
