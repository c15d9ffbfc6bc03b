extension DataTable {
    /// The rows `range` of this table, every column and the targets alike.
    func rows(_ range: Range<Int>) -> DataTable {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "rows \(range) of \(rowCount)")
        return DataTable(
            columns: columns.map { Array($0[range]) }, targets: Array(targets[range]), categoricalFeatures: categoricalFeatures,
            featureNames: featureNames)
    }

    /// A table with no rows and `featureCount` features: a rank whose share of the data is empty.
    static func empty(featureCount: Int, categoricalFeatures: [Int]) -> DataTable {
        DataTable(
            columns: Array(repeating: [], count: featureCount), targets: [], categoricalFeatures: categoricalFeatures)
    }
}
