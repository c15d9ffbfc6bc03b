/// How a missing value (NaN) is compared with a feature's borders at apply time.
///
/// CatBoost substitutes the NaN *before* comparing (`BinarizeFeatures` in
/// `catboost/libs/model/cpu/quantization.h`): `AsFalse` makes every `x > border` false
/// (training used `nan_mode=Min`), `AsTrue` makes every one true (`nan_mode=Max`), and `AsIs`
/// leaves the NaN, which compares false, so it behaves as `AsFalse`.
public enum NanValueTreatment: UInt8, Sendable, Hashable, CaseIterable {
    case asIs = 0
    case asFalse = 1
    case asTrue = 2

    /// The CatBoost JSON spelling (`nan_value_treatment`).
    public var catBoostName: String {
        switch self {
        case .asIs: "AsIs"
        case .asFalse: "AsFalse"
        case .asTrue: "AsTrue"
        }
    }

    public init?(catBoostName: String) {
        switch catBoostName {
        case "AsIs": self = .asIs
        case "AsFalse": self = .asFalse
        case "AsTrue": self = .asTrue
        default: return nil
        }
    }

    /// The value a NaN input is replaced with before comparing against borders.
    @inline(__always)
    func substitute(_ x: Float) -> Float {
        guard x.isNaN else { return x }
        switch self {
        case .asIs: return x
        case .asFalse: return -.infinity
        case .asTrue: return .infinity
        }
    }
}
