/// A numeric feature computed from category statistics (CatBoost's `TCtrFeature`: a `TModelCtr`
/// and its borders). Its value for a row is read from table `tableIndex` by the row's key for
/// `combination`, then compared with the borders as a float feature is.
public struct CTRFeature: Sendable, Hashable {
    public var combination: FeatureCombination
    public var type: CTRType
    /// Index into `Ensemble.ctrTables`: the table of `(combination, type)`, which the CTRs with
    /// different priors or target borders share.
    public var tableIndex: Int
    public var targetBorderIndex: Int
    public var priorNumerator: Float
    public var priorDenominator: Float
    public var shift: Float
    public var scale: Float
    /// Strictly increasing, compared as `value > border`.
    public var borders: [Float]

    public init(
        combination: FeatureCombination, type: CTRType, tableIndex: Int, targetBorderIndex: Int = 0,
        priorNumerator: Float = 0, priorDenominator: Float = 1, shift: Float = 0, scale: Float = 1, borders: [Float]
    ) {
        self.combination = combination
        self.type = type
        self.tableIndex = tableIndex
        self.targetBorderIndex = targetBorderIndex
        self.priorNumerator = priorNumerator
        self.priorDenominator = priorDenominator
        self.shift = shift
        self.scale = scale
        self.borders = borders
    }

    /// CatBoost's `TModelCtr::Calc` (`catboost/libs/model/online_ctr.h`), in float32 as there.
    @inline(__always)
    public func value(good: Float, total: Float) -> Float {
        let ctr = (good + priorNumerator) / (total + priorDenominator)
        return (ctr + shift) * scale
    }

    /// The value of a row whose key the table has at `entry` (nil: a key the learn set never had),
    /// as `TStaticCtrProvider::CalcCtrs` (`catboost/libs/model/static_ctr_provider.cpp`) computes it.
    public func value(in table: CTRTable, entry: Int?) -> Float {
        if type.usesCounterDenominator {
            let count = entry.map { Float(table.counts[$0 * table.stride]) } ?? 0
            return value(good: count, total: Float(table.counterDenominator))
        }
        guard let entry else { return value(good: 0, total: 0) }
        if type.storesMeanHistory {
            return value(good: table.sums[entry], total: Float(table.counts[entry]))
        }
        let start = entry * table.stride
        var total: Int32 = 0
        var good: Int32 = 0
        for targetClass in 0..<table.stride {
            let count = table.counts[start + targetClass]
            total &+= count
            if type == .buckets ? targetClass == targetBorderIndex : targetClass > targetBorderIndex { good &+= count }
        }
        return value(good: Float(good), total: Float(total))
    }
}
