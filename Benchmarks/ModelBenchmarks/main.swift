// Batch-evaluation throughput of the fast evaluator, one core, release build.
//
// Usage: ModelBenchmarks MODEL ROWS.f32 COLUMNS [SECONDS]
//        ModelBenchmarks MODEL ROWS.csv COLUMNS [SECONDS]
//   ROWS.f32 holds row-major little-endian float32 features (written by
//   Benchmarks/compare_predict.py, which runs CatBoost on the same model and rows).
//   ROWS.csv holds headerless text rows for a model with categorical features: each batch is
//   parsed (categories hashed) and scored, as CatBoost's predict hashes a DataFrame's strings.
// Prints one JSON object per batch size: {"batch": N, "rows_per_second": R, "checksum": C}.
import Model

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let columnCount = Int(arguments[3]) else {
    print("usage: ModelBenchmarks MODEL ROWS.f32 COLUMNS [SECONDS]")
    exit(2)
}
let seconds = arguments.count > 4 ? Double(arguments[4]) ?? 2 : 2
if case .failure(let error) = InstructionLevel.requested() {
    print("ModelBenchmarks: \(error)")
    exit(1)
}
let evaluator: Evaluator
let rows: [Float]
do {
    evaluator = Evaluator(try ModelLoader.load(path: arguments[1]))
    let bytes = try FileIO.readAll(path: arguments[2])
    if arguments[2].hasSuffix(".csv") {
        measureTextRows(bytes, evaluator: evaluator, seconds: seconds)
        exit(0)
    }
    rows = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
} catch {
    print("ModelBenchmarks: \(error)")
    exit(1)
}
precondition(evaluator.columnCount == columnCount, "model reads \(evaluator.columnCount) columns")
let totalRows = rows.count / columnCount

/// Scores consecutive batches of `batch` rows (wrapping around the data) for `seconds`.
func measure(batch: Int) -> (rowsPerSecond: Double, checksum: Double) {
    let batchCount = totalRows / batch
    let batches: [[Float]] = (0..<min(batchCount, 64)).map { index in
        Array(rows[(index * batch * columnCount)..<((index + 1) * batch * columnCount)])
    }
    var output = [Double](repeating: 0, count: batch)
    var checksum = 0.0
    var scored = 0
    let start = now()
    var elapsed = 0.0
    var iteration = 0
    while elapsed < seconds {
        for _ in 0..<max(1, 100_000 / batch) {
            if batch == 1 {
                checksum += evaluator.predict(row: batches[iteration % batches.count])
            } else {
                evaluator.predict(features: batches[iteration % batches.count], rowCount: batch, into: &output)
                checksum += output[0]
            }
            scored += batch
            iteration += 1
        }
        elapsed = now() - start
    }
    return (Double(scored) / elapsed, checksum)
}

for batch in [1, 100, 10_000, 1_000_000] where batch <= totalRows {
    let result = measure(batch: batch)
    print("{\"batch\": \(batch), \"rows_per_second\": \(result.rowsPerSecond), \"checksum\": \(result.checksum)}")
}

/// CSV parsing of request-style bodies (the serving hot path): 10k rows of "%g"-formatted values.
func measureCSV() -> Double {
    let rowCount = min(totalRows, 10_000)
    var text = ""
    for row in 0..<rowCount {
        text += (0..<columnCount).map { "\(rows[row * columnCount + $0])" }.joined(separator: ",") + "\n"
    }
    let body = Array(text.utf8)
    var values: [Float] = []
    values.reserveCapacity(rowCount * columnCount)
    var parsed = 0
    let start = now()
    var elapsed = 0.0
    while elapsed < seconds {
        values.removeAll(keepingCapacity: true)
        BatchScoring.parseRowsForBenchmark(body, into: &values)
        parsed += rowCount
        elapsed = now() - start
    }
    precondition(values.count == rowCount * columnCount)
    return Double(parsed) / elapsed
}
print("{\"csv_rows_per_second\": \(measureCSV())}")
