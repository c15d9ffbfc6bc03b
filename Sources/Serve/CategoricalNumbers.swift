import Model

/// Category values that arrive as numbers (JSON numbers, RecordIO and libsvm values): an
/// integer is hashed as its decimal text, as CatBoost's Python package hashes an `int`; any
/// other number is refused, as CatBoost refuses a float category ("cat_features must be integer
/// or string, real number values and NaN values should be converted to string").
enum CategoricalNumbers {
    /// The hash of a JSON value in a categorical column: a string, or an integer number.
    static func hash(_ value: JSONValue, row: Int, column: Int) throws(InvocationError) -> UInt32 {
        switch value {
        case .string(let text): return CategoryHash.hash(text)
        case .number(let number): return try hash(number: number, at: "row \(row), column \(column + 1)")
        default:
            throw .badRequest("row \(row), column \(column + 1): a categorical value must be a string or an integer")
        }
    }

    /// Replaces the numbers in the categorical columns of decoded rows by their hashes.
    static func hash(_ features: inout [Float], schema: ColumnSchema, source: String) throws(InvocationError) {
        guard schema.hasCategoricalColumns, schema.columnCount > 0 else { return }
        for row in 0..<(features.count / schema.columnCount) {
            for column in schema.categoricalColumns {
                let index = row * schema.columnCount + column
                let hash = try hash(number: Double(features[index]), at: "\(source) \(row + 1), column \(column + 1)")
                features[index] = CategoryHash.storedValue(hash)
            }
        }
    }

    private static func hash(number: Double, at place: String) throws(InvocationError) -> UInt32 {
        guard let integer = Int64(exactly: number) else {
            throw .badRequest(
                "\(place): categorical value \(number) is not an integer; send categories as strings or integers")
        }
        return CategoryHash.hash(integer: integer)
    }
}
