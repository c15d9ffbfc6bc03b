import Model

/// Loads headerless CSV files (plain or gzip: zlib's `gzread` reads both) into a `DataTable`:
/// the target from `labelColumn`, every other column a feature, the columns `categorical`
/// declares read as text and hashed as CatBoost hashes categories. Files stream through a
/// fixed-size buffer; a bad field is reported with its file, line and column.
public enum CSVDataLoader {
    /// `channel` (training or validation) names the files' role in errors.
    public static func load(
        files: [String], labelColumn label: LabelColumn, hasHeader: Bool, channel: String = "training",
        categorical: CategoricalDeclaration = CategoricalDeclaration()
    ) throws(TrainingError)
        -> DataTable
    {
        guard !files.isEmpty else { throw TrainingError("no CSV files to load") }
        var state = LoadState()
        for path in files {
            let file = try GzipFile(path: path)
            var reader = LineReader(
                readChunk: { pointer, count in file.read(into: pointer, count: count) },
                failureDescription: { file.failureDescription() })
            do throws(LineReaderError<CSVError>) {
                try reader.forEachLine { (line, lineNumber) throws(CSVError) in
                    if hasHeader, lineNumber == 1 {
                        if state.header == nil { state.header = LabelColumn.names(inHeader: line) }
                        return
                    }
                    if isBlank(line) { return }
                    if state.schema == nil { try state.start(line: line, lineNumber: lineNumber, label: label, categorical: categorical) }
                    try state.append(line: line, lineNumber: lineNumber, categorical: categorical)
                }
            } catch {
                switch error {
                case .read(let message): throw TrainingError("cannot read \(path): \(message)")
                case .body(let csvError): throw TrainingError("\(path): \(csvError.description)")
                }
            }
        }
        guard !state.targets.isEmpty else {
            throw TrainingError("the \(channel) channel holds no data rows: \(files.joined(separator: ", "))")
        }
        let labelColumn = state.labelColumn
        let categoricalFeatures = (state.schema?.categoricalColumns ?? []).map { $0 < labelColumn ? $0 : $0 - 1 }
        var names: [String] = []
        if let header = state.header, header.count == state.columns.count + 1 {
            names = header.indices.filter { $0 != labelColumn }.map { header[$0] }
        }
        return DataTable(columns: state.columns, targets: state.targets, categoricalFeatures: categoricalFeatures, featureNames: names)
    }

    /// What loading has gathered so far; the first data row fixes the column count, the label
    /// and the categorical columns.
    private struct LoadState {
        var columns: [[Float]] = []
        var targets: [Float] = []
        var fields: [Float] = []
        var header: [String]?
        var labelColumn = 0
        var schema: ColumnSchema?

        mutating func start(
            line: UnsafeBufferPointer<UInt8>, lineNumber: Int, label: LabelColumn, categorical: CategoricalDeclaration
        ) throws(CSVError) {
            let count = CSVDataLoader.fieldCount(of: line)
            do throws(TrainingError) {
                labelColumn = try label.index(fieldCount: count, header: header)
                schema = ColumnSchema(
                    columnCount: count,
                    categoricalColumns: try categorical.csvColumns(fieldCount: count, labelColumn: labelColumn, header: header))
            } catch {
                throw CSVError(line: lineNumber, column: nil, message: error.description)
            }
            guard count >= 2 else {
                throw CSVError(line: lineNumber, column: nil, message: "has only a label column and no features")
            }
            columns = Array(repeating: [], count: count - 1)
        }

        mutating func append(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, categorical: CategoricalDeclaration) throws(CSVError) {
            guard let schema else { preconditionFailure("append before start") }
            fields.removeAll(keepingCapacity: true)
            let count: Int
            do {
                count = try CSVRowParser.parse(line: line, lineNumber: lineNumber, schema: schema, into: &fields)
            } catch {
                throw undeclaredText(error) ?? error
            }
            guard count == schema.columnCount else {
                throw CSVError(line: lineNumber, column: nil, message: "has \(count) columns, expected \(schema.columnCount) like the first row")
            }
            let target = fields[labelColumn]
            guard target.isFinite else {
                throw CSVError(line: lineNumber, column: labelColumn + 1, message: "the target is missing or not finite")
            }
            targets.append(target)
            var feature = 0
            for index in 0..<count where index != labelColumn {
                columns[feature].append(fields[index])
                feature += 1
            }
        }

        /// A text field in a column nobody declared categorical: the error says which feature
        /// that is and how to declare it.
        func undeclaredText(_ error: CSVError) -> CSVError? {
            guard let column = error.column, column - 1 != labelColumn, error.message.hasSuffix("is not a number") else { return nil }
            let csvColumn = column - 1
            let feature = csvColumn < labelColumn ? csvColumn : csvColumn - 1
            let name = header.flatMap { $0.indices.contains(csvColumn) ? " ('\($0[csvColumn])')" : nil } ?? ""
            return CSVError(
                line: error.line, column: column,
                message: "\(error.message): feature \(feature)\(name) holds text, but it is not declared categorical. "
                    + "Declare it with the hyperparameter cat_features=\(feature) (feature indexes from 0, the label not counted"
                    + "\(name.isEmpty ? "" : ", or the column's name with csv_header=true")) or list column \(csvColumn) in "
                    + "categorical_index.json's cat_index_list in the training channel")
        }
    }

    /// How many fields a line has, quoted fields (RFC 4180) counted as one.
    static func fieldCount(of line: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 1
        var quoted = false
        for byte in line {
            if byte == UInt8(ascii: "\"") { quoted.toggle() } else if byte == UInt8(ascii: ","), !quoted { count += 1 }
        }
        return count
    }

    private static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
