// Categorical input, one core, release build: the category hash per string length, and CSV
// rows with categorical columns parsed against the numeric parser on rows of the same width.
//
// Usage: CategoricalBenchmarks [SECONDS]
// Prints one JSON object per benchmark, {"name": "Area:Thing", "nanoseconds": …}, each the
// fastest of ten windows (per hash, or per row), so a busy shared machine shows less.
import Model

#if canImport(Glibc)
import Glibc
#endif

let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 1 : 1

/// The fastest of ten windows of `seconds / 10`, in nanoseconds per item; `body` runs one pass
/// over `itemCount` items and returns a checksum, so the work cannot be dropped.
func measure(itemCount: Int, _ body: () -> UInt64) -> (nanoseconds: Double, checksum: UInt64) {
    var best = Double.infinity
    var checksum: UInt64 = 0
    for _ in 0..<10 {
        var passes = 0
        let start = MonotonicClock.seconds
        var elapsed = 0.0
        while elapsed < seconds / 10 {
            checksum &+= body()
            passes += 1
            elapsed = MonotonicClock.seconds - start
        }
        best = min(best, elapsed * 1e9 / Double(passes * itemCount))
    }
    return (best, checksum)
}

func report(_ name: String, _ result: (nanoseconds: Double, checksum: UInt64)) {
    print("{\"name\": \"\(name)\", \"nanoseconds\": \(result.nanoseconds), \"checksum\": \(result.checksum)}")
}

/// A reproducible generator (SplitMix64), so every run hashes and parses the same text.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
var generator = SplitMix64(state: 7)

// MARK: hashing

/// 1,024 distinct strings of `byteCount` letters and digits, back to back.
func hashThroughput(byteCount: Int, using generator: inout SplitMix64) -> (nanoseconds: Double, checksum: UInt64) {
    let stringCount = 1024
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)
    let text = (0..<(stringCount * byteCount)).map { _ in alphabet.randomElement(using: &generator)! }
    return text.withUnsafeBytes { bytes in
        measure(itemCount: stringCount) {
            var checksum: UInt64 = 0
            for index in 0..<stringCount {
                let string = UnsafeRawBufferPointer(rebasing: bytes[(index * byteCount)..<((index + 1) * byteCount)])
                checksum &+= UInt64(CategoryHash.hash(string))
            }
            return checksum
        }
    }
}

for byteCount in [8, 20, 100] {
    report("Model:CategoryHash:\(byteCount)B", hashThroughput(byteCount: byteCount, using: &generator))
}

// MARK: rows

let columnCount = 30
let rowCount = 10_000
/// Every third column categorical (10 of 30), as in a typical tabular set with a few codes.
let categoricalColumns = Array(stride(from: 1, to: columnCount, by: 3))

func number(using generator: inout SplitMix64) -> String {
    let value = Double(Int.random(in: -2_000_000...2_000_000, using: &generator)) / 1000
    return "\(value)"
}

/// Category names of 4–16 bytes, one in eight quoted with a comma inside.
func category(using generator: inout SplitMix64) -> String {
    let name = "cat_" + String(Int.random(in: 0..<1_000_000_000_000, using: &generator), radix: 36)
    return Int.random(in: 0..<8, using: &generator) == 0 ? "\"\(name), ltd\"" : name
}

/// A request-style body of `rowCount` rows; `categorical` puts text in `categoricalColumns`.
func body(categorical: Bool, using generator: inout SplitMix64) -> [UInt8] {
    var text = ""
    for _ in 0..<rowCount {
        let fields = (0..<columnCount).map { column in
            categorical && categoricalColumns.contains(column) ? category(using: &generator) : number(using: &generator)
        }
        text += fields.joined(separator: ",") + "\n"
    }
    return Array(text.utf8)
}

/// Parses every line of `body` as Serve does (into a fixed-width row, the rest of the body
/// readable after each line), with `schema` or, when nil, the numeric parser.
func parseRows(_ body: [UInt8], schema: ColumnSchema?) -> (nanoseconds: Double, checksum: UInt64) {
    var row = [Float](repeating: 0, count: columnCount)
    return body.withUnsafeBufferPointer { bytes in
        row.withUnsafeMutableBufferPointer { output in
            measure(itemCount: rowCount) {
                var checksum: UInt64 = 0
                try! CSVRowParser.forEachLine(in: bytes) { line, lineNumber in
                    let readable = bytes.count - (line.baseAddress! - bytes.baseAddress!)
                    let count = if let schema {
                        try CSVRowParser.parse(
                            line: line, lineNumber: lineNumber, schema: schema, into: output.baseAddress!, capacity: columnCount,
                            readableCount: readable)
                    } else {
                        try CSVRowParser.parse(
                            line: line, lineNumber: lineNumber, into: output.baseAddress!, capacity: columnCount,
                            readableCount: readable)
                    }
                    precondition(count == columnCount)
                    checksum &+= UInt64(output[columnCount - 1].bitPattern)
                }
                return checksum
            }
        }
    }
}

let numericBody = body(categorical: false, using: &generator)
let categoricalBody = body(categorical: true, using: &generator)
let schema = ColumnSchema(columnCount: columnCount, categoricalColumns: categoricalColumns)
let allCategorical = ColumnSchema(columnCount: columnCount, categoricalColumns: 0..<columnCount)
report("Model:CSVRow:30numeric:numericParser", parseRows(numericBody, schema: nil))
report("Model:CSVRow:20numeric+10categorical:schemaParser", parseRows(categoricalBody, schema: schema))
// The same numeric body through the schema parser with every column categorical: the cost of
// reading and hashing 30 short texts per row.
report("Model:CSVRow:30categorical:schemaParser", parseRows(numericBody, schema: allCategorical))
// The numeric body with one categorical column: what the schema parser's numeric fields cost
// against the numeric parser's.
let firstCategorical = ColumnSchema(columnCount: columnCount, categoricalColumns: [0])
report("Model:CSVRow:29numeric+1categorical:schemaParser", parseRows(numericBody, schema: firstCategorical))
