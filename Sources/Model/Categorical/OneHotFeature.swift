/// A categorical feature split by equality (CatBoost's `TOneHotFeature`, for features with at
/// most `one_hot_max_size` distinct learn values): split `j` asks "is the value's hash
/// `values[j]`?".
public struct OneHotFeature: Sendable, Hashable {
    /// Index into `Ensemble.categoricalFeatures`.
    public var categoricalFeatureIndex: Int
    /// Category hashes, one per split this feature offers; CatBoost stores them as int32.
    public var values: [UInt32]

    public init(categoricalFeatureIndex: Int, values: [UInt32]) {
        self.categoricalFeatureIndex = categoricalFeatureIndex
        self.values = values
    }
}
