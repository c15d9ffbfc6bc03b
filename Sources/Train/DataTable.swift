/// Training rows as loaded: one `Float` array per feature column (column-major, so quantization
/// walks contiguous memory and no row-major copy is ever held) and the float32 targets.
///
/// Features are numbered as CatBoost numbers them: every column but the label, in file order.
/// A categorical feature's column holds each value's 32-bit hash as a bit pattern
/// (`CategoryHash.storedValue`), as CatBoost's own `ConvertCatFeatureHashToFloat` carries them;
/// such a `Float` is a tag, never a number.
public struct DataTable: Sendable {
    public var columns: [[Float]]
    public var targets: [Float]
    /// The categorical features (indexes into `columns`), increasing.
    public var categoricalFeatures: [Int]
    /// Each feature's name from the files' header line; empty without one.
    public var featureNames: [String]

    public init(columns: [[Float]], targets: [Float], categoricalFeatures: [Int] = [], featureNames: [String] = []) {
        precondition(columns.allSatisfy { $0.count == targets.count }, "ragged columns")
        precondition(categoricalFeatures.allSatisfy { columns.indices.contains($0) }, "a categorical feature past the columns")
        precondition(featureNames.isEmpty || featureNames.count == columns.count, "one name per feature")
        self.columns = columns
        self.targets = targets
        self.categoricalFeatures = Array(Set(categoricalFeatures)).sorted()
        self.featureNames = featureNames
    }

    public var rowCount: Int { targets.count }
    public var featureCount: Int { columns.count }

    /// Whether any feature is categorical (training then takes the categorical path).
    public var hasCategoricalFeatures: Bool { !categoricalFeatures.isEmpty }

    /// The numeric features (indexes into `columns`), increasing.
    public var numericFeatures: [Int] {
        let categorical = Set(categoricalFeatures)
        return columns.indices.filter { !categorical.contains($0) }
    }

    /// Builds a table from row-major rows; convenient for tests and small data.
    public init(rows: [[Double]], targets: [Double]) {
        let featureCount = rows.first?.count ?? 0
        self.init(
            columns: (0..<featureCount).map { column in rows.map { Float($0[column]) } },
            targets: targets.map { Float($0) })
    }
}
