/// What a split's `featureIndex` names (`Ensemble.splitFeature(at:)`): a float feature (the
/// split's `borderIndex` picks a border), a one-hot feature (it picks a value) or a CTR feature
/// (it picks one of the CTR's borders).
public enum SplitFeature: Sendable, Hashable {
    case float(Int)
    case oneHot(Int)
    case ctr(Int)

    /// How many borders or values the feature offers a split.
    public func thresholdCount(in ensemble: Ensemble) -> Int {
        switch self {
        case .float(let index): ensemble.features[index].borders.count
        case .oneHot(let index): ensemble.oneHotFeatures[index].values.count
        case .ctr(let index): ensemble.ctrFeatures[index].borders.count
        }
    }
}
