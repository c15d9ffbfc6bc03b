/// How split candidates are scored (CatBoost's `score_function`; CPU accepts these two).
public enum ScoreFunction: String, Sendable, Hashable, CaseIterable {
    case cosine = "Cosine"
    case l2 = "L2"
}
