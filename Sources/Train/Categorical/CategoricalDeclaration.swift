import Model

/// Which columns of the training CSV hold categories, as a job declares them:
///
/// - the hyperparameter `cat_features` (CatBoost's name and meaning): comma-separated feature
///   indexes from 0 as CatBoost counts features (every column but the label), or, with
///   `csv_header=true`, column names; `[1, 2]` and quoted names are accepted too;
/// - a `categorical_index.json` file in the training channel, as SageMaker's built-in CatBoost
///   and LightGBM algorithms read it (developer guide, "Input and Output interface for the
///   CatBoost algorithm"): `{"cat_index_list": [1, 5]}`, CSV column indexes counted with the
///   label as column 0.
///
/// Both may be given; the columns they name are taken together.
public struct CategoricalDeclaration: Sendable, Hashable {
    /// `cat_features` entries that are numbers: feature indexes (label excluded).
    public var featureIndexes: [Int] = []
    /// `cat_features` entries that are names (need a header line).
    public var featureNames: [String] = []
    /// `categorical_index.json`'s `cat_index_list`: CSV column indexes (label included).
    public var csvColumns: [Int] = []

    public init(featureIndexes: [Int] = [], featureNames: [String] = [], csvColumns: [Int] = []) {
        self.featureIndexes = featureIndexes
        self.featureNames = featureNames
        self.csvColumns = csvColumns
    }

    public var isEmpty: Bool { featureIndexes.isEmpty && featureNames.isEmpty && csvColumns.isEmpty }

    /// Parses `cat_features`'s value.
    init(catFeatures value: String) throws(TrainingError) {
        var text = value.trimmingWhitespace
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            var entry = String(raw).trimmingWhitespace
            if entry.count >= 2, let quote = entry.first, quote == "\"" || quote == "'", entry.last == quote {
                entry = String(entry.dropFirst().dropLast())
            } else if let number = Int(entry) {
                guard number >= 0, number < 1 << 20 else {
                    throw TrainingError("hyperparameter cat_features='\(value)': \(number) is not a feature index (0, 1, … counting every column but the label)")
                }
                featureIndexes.append(number)
                continue
            }
            guard !entry.isEmpty else {
                if text.trimmingWhitespace.isEmpty { continue }
                throw TrainingError("hyperparameter cat_features='\(value)' has an empty entry; expected feature indexes or column names separated by commas")
            }
            featureNames.append(entry)
        }
    }

    /// Parses `categorical_index.json` (`path` names it in errors).
    init(categoricalIndexJSON bytes: [UInt8], path: String) throws(TrainingError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw TrainingError("\(path) is not valid JSON (\(error)); expected {\"cat_index_list\": [column, …]}")
        }
        guard case .object = document, let list = document["cat_index_list"] else {
            throw TrainingError("\(path) must be a JSON object with the key \"cat_index_list\", e.g. {\"cat_index_list\": [1, 5]}")
        }
        guard let entries = list.arrayValue else {
            throw TrainingError("\(path): cat_index_list must be a list of column indexes, e.g. [1, 5]")
        }
        for entry in entries {
            guard case .number(let number) = entry, number == number.rounded(), number >= 1, number < 2_147_483_647 else {
                throw TrainingError(
                    "\(path): cat_index_list entry \(entry) is not a column index; each is a CSV column from 1 (column 0 is the target) below 2147483647")
            }
            csvColumns.append(Int(number))
        }
    }

    /// The CSV columns (label included, from 0) these declarations name, in rows of `fieldCount`
    /// fields whose label is column `labelColumn`; `header` holds the column names when the
    /// files have a header line.
    func csvColumns(fieldCount: Int, labelColumn: Int, header: [String]?) throws(TrainingError) -> [Int] {
        var columns = Set<Int>()
        let featureCount = fieldCount - 1
        for feature in featureIndexes {
            guard feature < featureCount else {
                throw TrainingError(
                    "cat_features names feature \(feature), but rows have \(featureCount) features (\(fieldCount) columns with the label); features are counted from 0 without the label")
            }
            columns.insert(feature < labelColumn ? feature : feature + 1)
        }
        for name in featureNames {
            guard let header else {
                throw TrainingError("cat_features names a column ('\(name)'): set csv_header=true so the files' first line names the columns, or give feature indexes")
            }
            guard let column = header.firstIndex(of: name) else {
                throw TrainingError("cat_features names '\(name)', which is not in the header (\(header.joined(separator: ", ")))")
            }
            guard column != labelColumn else { throw TrainingError("cat_features names '\(name)', the label column") }
            columns.insert(column)
        }
        for column in csvColumns {
            guard column < fieldCount else {
                throw TrainingError("categorical_index.json names column \(column), but rows have \(fieldCount) columns (the target is column 0)")
            }
            guard column != labelColumn else {
                throw TrainingError("categorical_index.json names column \(column), the label column")
            }
            columns.insert(column)
        }
        return columns.sorted()
    }
}
