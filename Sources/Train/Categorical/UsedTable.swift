import Model

/// A CTR table the model already has: CatBoost's `UsedCtrSplits`, (CTR type, projection).
struct UsedTable: Sendable, Hashable {
    var type: CTRType
    var projection: Projection
}
