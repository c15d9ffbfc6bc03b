/// Which columns of a CSV row hold categorical values (text, hashed with `CategoryHash`) and which
/// hold numbers.
///
/// Columns are numbered from 0 in the row as it is parsed (a training row's label column
/// included). A column at or past `columnCount` is numeric, so a row wider than the schema still
/// parses and its caller reports the width, as for numeric rows.
public struct ColumnSchema: Sendable, Hashable {
    /// How many columns a row is expected to have.
    public let columnCount: Int
    /// The categorical columns, increasing, each once.
    public let categoricalColumns: [Int]
    /// `categoricalMask[column]` for every column below `columnCount`: one load per field in
    /// the row parser, where a search of `categoricalColumns` would cost a loop.
    let categoricalMask: [Bool]

    /// A schema whose `categoricalColumns` are given in any order, repeats counting once. Each
    /// must be in `0..<columnCount`; a caller reading them from a user validates them first.
    public init(columnCount: Int, categoricalColumns: some Sequence<Int>) {
        precondition(columnCount >= 0, "a schema cannot have \(columnCount) columns")
        var mask = [Bool](repeating: false, count: columnCount)
        for column in categoricalColumns {
            precondition(column >= 0 && column < columnCount, "categorical column \(column) is not in 0..<\(columnCount)")
            mask[column] = true
        }
        self.columnCount = columnCount
        self.categoricalColumns = mask.indices.filter { mask[$0] }
        self.categoricalMask = mask
    }

    /// A schema with only numeric columns (rows keep the numeric parser's fast path).
    public static func numeric(columnCount: Int) -> ColumnSchema {
        ColumnSchema(columnCount: columnCount, categoricalColumns: [])
    }

    /// Whether any column is categorical; when not, callers parse rows with the numeric parser.
    public var hasCategoricalColumns: Bool { !categoricalColumns.isEmpty }

    /// Whether `column` (from 0) holds categorical values; false past `columnCount`.
    @inline(__always)
    public func isCategorical(_ column: Int) -> Bool {
        column >= 0 && column < categoricalMask.count && categoricalMask[column]
    }
}
