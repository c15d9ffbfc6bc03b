/// When the bootstrap sample for split search is drawn (CatBoost's `sampling_frequency`,
/// spelled as CatBoost spells it). Leaf values never use the sample: they are fitted on every
/// learn object with its own weight either way.
public enum SamplingFrequency: String, Sendable, Hashable, CaseIterable {
    /// Once per tree: CatBoost's default on CPU (`get_all_params()` reports it for RMSE and Logloss).
    case perTree = "PerTree"
    /// Anew before every level of the tree, as CatBoost's greedy tensor search does
    /// (catboost/private/libs/algo/greedy_tensor_search.cpp, `GreedyTensorSearchOblivious`).
    /// The default of SageMaker's built-in CatBoost algorithm.
    case perTreeLevel = "PerTreeLevel"
}
