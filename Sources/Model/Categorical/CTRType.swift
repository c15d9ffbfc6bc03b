/// How a CTR turns the statistics of a category (or combination) into a number (CatBoost's
/// `ECtrType`, in the order of `ctr_data.fbs`). Every type ends in `TModelCtr::Calc`:
/// `((good + priorNumerator) / (total + priorDenominator) + shift) · scale`, in float32.
public enum CTRType: UInt8, Sendable, Hashable, CaseIterable {
    /// good = learn objects of the value whose target class is above `targetBorderIndex`;
    /// total = all learn objects of the value.
    case borders = 0
    /// good = learn objects of the value in target class `targetBorderIndex`; total = all.
    case buckets = 1
    /// The table holds (sum of binarized targets, count) per value.
    case binarizedTargetMeanValue = 2
    /// The table holds (sum of targets, count) per value.
    case floatTargetMeanValue = 3
    /// good = learn (or learn + test) objects of the value; total = the table's denominator.
    case counter = 4
    /// As `counter`.
    case featureFrequency = 5

    public init?(catBoostName: String) {
        switch catBoostName {
        case "Borders": self = .borders
        case "Buckets": self = .buckets
        case "BinarizedTargetMeanValue": self = .binarizedTargetMeanValue
        case "FloatTargetMeanValue": self = .floatTargetMeanValue
        case "Counter": self = .counter
        case "FeatureFreq": self = .featureFrequency
        default: return nil
        }
    }

    public var catBoostName: String {
        switch self {
        case .borders: "Borders"
        case .buckets: "Buckets"
        case .binarizedTargetMeanValue: "BinarizedTargetMeanValue"
        case .floatTargetMeanValue: "FloatTargetMeanValue"
        case .counter: "Counter"
        case .featureFrequency: "FeatureFreq"
        }
    }

    /// Whether the table's entries are (float sum, int count) pairs rather than int counts.
    public var storesMeanHistory: Bool { self == .binarizedTargetMeanValue || self == .floatTargetMeanValue }

    /// Whether `total` is the table's counter denominator rather than the entry's own counts.
    public var usesCounterDenominator: Bool { self == .counter || self == .featureFrequency }
}
