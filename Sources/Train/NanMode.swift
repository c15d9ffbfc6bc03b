public enum NanMode: String, Sendable, Hashable, CaseIterable {
    /// NaN sorts below every value: an extra first border at −FLT_MAX.
    case min = "Min"
    /// NaN sorts above every value: an extra last border at +FLT_MAX.
    case max = "Max"
    /// A NaN in the data is an error.
    case forbidden = "Forbidden"
}
