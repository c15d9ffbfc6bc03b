import Model

/// What a CTR counts by while training (CatBoost's `TProjection`,
/// catboost/private/libs/algo/projection.h): categorical features, optionally narrowed by float
/// splits and one-hot outcomes of the tree that formed it. Each list is kept sorted, as
/// CatBoost keeps it, and a model key folds them in that order (`FeatureCombination`).
struct Projection: Sendable, Hashable, Comparable {
    /// A float split: static feature `feature`'s bin above `borderIndex`.
    struct FloatSplit: Sendable, Hashable, Comparable {
        var feature: Int
        var borderIndex: Int
        static func < (a: Self, b: Self) -> Bool { (a.feature, a.borderIndex) < (b.feature, b.borderIndex) }
    }

    /// A one-hot outcome: categorical feature `categorical`'s value id is `valueID`.
    struct OneHotSplit: Sendable, Hashable, Comparable {
        var categorical: Int
        var valueID: UInt32
        static func < (a: Self, b: Self) -> Bool { (a.categorical, a.valueID) < (b.categorical, b.valueID) }
    }

    /// Indexes into the trainer's categorical columns, increasing.
    var categorical: [Int]
    var floatSplits: [FloatSplit] = []
    var oneHotSplits: [OneHotSplit] = []

    var isSingleFeature: Bool { categorical.count == 1 && floatSplits.isEmpty && oneHotSplits.isEmpty }

    /// CatBoost's `GetFullProjectionLength`: the categorical parts, plus one when any float or
    /// one-hot split narrows them; `max_ctr_complexity` bounds it.
    var complexity: Int { categorical.count + (floatSplits.isEmpty && oneHotSplits.isEmpty ? 0 : 1) }

    /// The projection with categorical feature `index` added, or nil when it is already there
    /// (CatBoost's `IsRedundant`).
    func adding(categorical index: Int) -> Projection? {
        guard !categorical.contains(index) else { return nil }
        var result = self
        result.categorical.append(index)
        result.categorical.sort()
        return result
    }

    static func < (a: Projection, b: Projection) -> Bool {
        if a.categorical != b.categorical { return a.categorical.lexicographicallyPrecedes(b.categorical) }
        if a.floatSplits != b.floatSplits { return a.floatSplits.lexicographicallyPrecedes(b.floatSplits) }
        return a.oneHotSplits.lexicographicallyPrecedes(b.oneHotSplits)
    }

    /// A stable number for the projection (split noise streams are drawn from it).
    var stableHash: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ value: Int) { hash = (hash ^ UInt64(truncatingIfNeeded: value)) &* 0x0000_0100_0000_01B3 }
        for index in categorical { mix(index) }
        mix(-1)
        for split in floatSplits { mix(split.feature); mix(split.borderIndex) }
        mix(-2)
        for split in oneHotSplits { mix(split.categorical); mix(Int(split.valueID)) }
        return hash
    }
}
