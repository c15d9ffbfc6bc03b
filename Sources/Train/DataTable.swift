/// Training rows as loaded: one `Float` array per feature column (column-major, so quantization
/// walks contiguous memory and no row-major copy is ever held) and the float32 targets.
public struct DataTable: Sendable {
    public var columns: [[Float]]
    public var targets: [Float]

    public init(columns: [[Float]], targets: [Float]) {
        precondition(columns.allSatisfy { $0.count == targets.count }, "ragged columns")
        self.columns = columns
        self.targets = targets
    }

    public var rowCount: Int { targets.count }
    public var featureCount: Int { columns.count }

    /// Builds a table from row-major rows; convenient for tests and small data.
    public init(rows: [[Double]], targets: [Double]) {
        let featureCount = rows.first?.count ?? 0
        self.init(
            columns: (0..<featureCount).map { column in rows.map { Float($0[column]) } },
            targets: targets.map { Float($0) })
    }
}
