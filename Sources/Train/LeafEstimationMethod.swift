/// How a tree's leaf values are fitted once its splits are chosen (CatBoost's
/// `leaf_estimation_method`).
public enum LeafEstimationMethod: String, Sendable, Hashable, CaseIterable {
    /// Σ der1 / (−Σ der2 + λ), repeated `leaf_estimation_iterations` times.
    case newton = "Newton"
    /// Σ der1 / (Σ w + λ).
    case gradient = "Gradient"
    /// The loss's exact minimizer per leaf: a weighted quantile of the residuals.
    case exact = "Exact"
}
