import Model

/// Loads headerless numeric CSV files (plain or gzip: zlib's `gzread` reads both) into a
/// `DataTable`: the target from `labelColumn`, every other column a feature. Files stream
/// through a fixed-size buffer; a bad field is reported with its file, line and column.
public enum CSVDataLoader {
    /// `channel` (training or validation) names the files' role in errors.
    public static func load(
        files: [String], labelColumn label: LabelColumn, hasHeader: Bool, channel: String = "training"
    ) throws(TrainingError)
        -> DataTable
    {
        guard !files.isEmpty else { throw TrainingError("no CSV files to load") }
        var columns: [[Float]] = []
        var targets: [Float] = []
        var expectedFieldCount: Int?
        var fields: [Float] = []
        var header: [String]?
        var labelColumn = 0
        for path in files {
            let file = try GzipFile(path: path)
            var reader = LineReader(
                readChunk: { pointer, count in file.read(into: pointer, count: count) },
                failureDescription: { file.failureDescription() })
            do throws(LineReaderError<CSVError>) {
                try reader.forEachLine { (line, lineNumber) throws(CSVError) in
                    if hasHeader, lineNumber == 1 {
                        if header == nil { header = LabelColumn.names(inHeader: line) }
                        return
                    }
                    if isBlank(line) { return }
                    fields.removeAll(keepingCapacity: true)
                    let count = try CSVRowParser.parse(line: line, lineNumber: lineNumber, into: &fields)
                    if let expected = expectedFieldCount {
                        guard count == expected else {
                            throw CSVError(line: lineNumber, column: nil, message: "has \(count) columns, expected \(expected) like the first row")
                        }
                    } else {
                        do throws(TrainingError) {
                            labelColumn = try label.index(fieldCount: count, header: header)
                        } catch {
                            throw CSVError(line: lineNumber, column: nil, message: error.description)
                        }
                        guard count >= 2 else {
                            throw CSVError(line: lineNumber, column: nil, message: "has only a label column and no features")
                        }
                        expectedFieldCount = count
                        columns = Array(repeating: [], count: count - 1)
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
            } catch {
                switch error {
                case .read(let message): throw TrainingError("cannot read \(path): \(message)")
                case .body(let csvError): throw TrainingError("\(path): \(csvError.description)")
                }
            }
        }
        guard !targets.isEmpty else {
            throw TrainingError("the \(channel) channel holds no data rows: \(files.joined(separator: ", "))")
        }
        return DataTable(columns: columns, targets: targets)
    }

    private static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
