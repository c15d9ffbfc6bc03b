/// Which CSV column holds the target (`label_column`): an index from 0, `first`, `last` (where
/// the BYO CatBoost sample keeps it) or, with `csv_header`, a column's name.
public enum LabelColumn: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case index(Int)
    case last
    case named(String)

    public init(integerLiteral value: Int) { self = .index(value) }

    /// Parses the hyperparameter's value.
    init(hyperparameter value: String) throws(TrainingError) {
        let trimmed = value.trimmingWhitespace
        switch trimmed.lowercased() {
        case "first": self = .index(0)
        case "last": self = .last
        default:
            if let number = Double(trimmed) {
                guard number >= 0, number <= 1_000_000, number == number.rounded() else {
                    throw TrainingError("hyperparameter label_column='\(value)': expected a column index from 0, first, last or a column name")
                }
                self = .index(Int(number))
            } else {
                guard !trimmed.isEmpty else { throw TrainingError("hyperparameter label_column is empty") }
                self = .named(trimmed)
            }
        }
    }

    public var description: String {
        switch self {
        case .index(let index): "\(index)"
        case .last: "last"
        case .named(let name): name
        }
    }

    /// The column's index in rows of `fieldCount` fields; `header` holds the names when the
    /// files have a header line.
    func index(fieldCount: Int, header: [String]?) throws(TrainingError) -> Int {
        switch self {
        case .index(let index):
            guard index < fieldCount else {
                throw TrainingError("rows have \(fieldCount) columns, so label_column=\(index) does not exist")
            }
            return index
        case .last:
            return fieldCount - 1
        case .named(let name):
            guard let header else {
                throw TrainingError("label_column=\(name) names a column: set csv_header=true so the files' first line names them")
            }
            guard let index = header.firstIndex(of: name) else {
                throw TrainingError("label_column=\(name) is not in the header (\(header.joined(separator: ", ")))")
            }
            return index
        }
    }

    /// A header line's column names: split at commas, spaces and double quotes trimmed.
    static func names(inHeader line: UnsafeBufferPointer<UInt8>) -> [String] {
        String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map { field in
            var name = String(field).trimmingWhitespace
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            return name
        }
    }
}
