/// The columns a CTR counts by (CatBoost's `TFeatureCombination`, "projection"): one or more
/// categorical features, optionally narrowed by float-border and one-hot outcomes of splits the
/// tree made before the combination was formed.
///
/// A row's key in the CTR table mixes, in this order, every categorical hash, every float split
/// outcome and every one-hot outcome (`CalcHashes` in `catboost/libs/model/ctr_provider.h`).
public struct FeatureCombination: Sendable, Hashable {
    /// "Is float feature `floatFeatureIndex` above `border`?" (NaN per that feature's treatment).
    public struct FloatSplit: Sendable, Hashable {
        public var floatFeatureIndex: Int
        public var border: Float
        public init(floatFeatureIndex: Int, border: Float) {
            self.floatFeatureIndex = floatFeatureIndex
            self.border = border
        }
    }

    /// "Is categorical feature `categoricalFeatureIndex`'s hash `value`?"
    public struct OneHotSplit: Sendable, Hashable {
        public var categoricalFeatureIndex: Int
        public var value: UInt32
        public init(categoricalFeatureIndex: Int, value: UInt32) {
            self.categoricalFeatureIndex = categoricalFeatureIndex
            self.value = value
        }
    }

    /// Indexes into `Ensemble.categoricalFeatures`.
    public var categoricalFeatures: [Int]
    public var floatSplits: [FloatSplit]
    public var oneHotSplits: [OneHotSplit]

    public init(categoricalFeatures: [Int], floatSplits: [FloatSplit] = [], oneHotSplits: [OneHotSplit] = []) {
        self.categoricalFeatures = categoricalFeatures
        self.floatSplits = floatSplits
        self.oneHotSplits = oneHotSplits
    }

    /// How many parts the combination has (CatBoost's CTR complexity).
    public var complexity: Int { categoricalFeatures.count + floatSplits.count + oneHotSplits.count }

    /// CatBoost's `CalcHash(a, b)` (`catboost/libs/model/hash.h`): `M·(a + M·b)` mod 2^64.
    @inline(__always)
    public static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x4906_BA49_4954_CB65
        return multiplier &* (hash &+ multiplier &* value)
    }

    /// A category hash enters the key sign-extended: CatBoost writes `(ui64)(int)hash`.
    @inline(__always)
    public static func mix(_ hash: UInt64, category: UInt32) -> UInt64 {
        mix(hash, UInt64(bitPattern: Int64(Int32(bitPattern: category))))
    }
}
