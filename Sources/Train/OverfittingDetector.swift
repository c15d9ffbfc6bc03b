public enum OverfittingDetector: String, Sendable, Hashable, CaseIterable {
    /// Stop after `od_wait` iterations without improvement of the eval metric.
    case iter = "Iter"
    /// CatBoost's `IncToDec`, driven by `od_pval`; implemented here with `od_wait` as `Iter`
    /// once the p-value threshold is set, since both stop on a lasting lack of improvement.
    case incToDec = "IncToDec"
}
