/// One categorical input column (CatBoost's `TCatFeature`). Its values are text; a model sees
/// only their 32-bit hashes (`CategoryHash`), which travel in the float row buffers as bit
/// patterns.
public struct CategoricalFeature: Sendable, Hashable {
    /// Position of the column in an input row (CatBoost's `flat_feature_index`).
    public var columnIndex: Int
    /// CatBoost's `feature_id`; empty when unnamed.
    public var name: String

    public init(columnIndex: Int, name: String = "") {
        self.columnIndex = columnIndex
        self.name = name
    }
}
