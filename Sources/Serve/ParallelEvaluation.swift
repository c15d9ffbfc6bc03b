import Model

/// A pass's rows scored in per-core slices (whole 128-row evaluator blocks each).
enum ParallelEvaluation {
    /// Rows per slice at least: a task must do a few hundred microseconds of work to be worth
    /// starting (the evaluator does ~1.5 rows per microsecond on this model size).
    static let rowsPerSliceMin = 2048

    static func predict(evaluator: Evaluator, features: [Float], rowCount: Int, parallelism: Int) async -> [Double] {
        let sliceCount = min(parallelism, rowCount / rowsPerSliceMin)
        guard sliceCount > 1 else { return evaluator.predict(features: features, rowCount: rowCount) }
        let columnCount = evaluator.columnCount
        // Whole 128-row evaluator blocks per slice, but the last.
        let step = ((rowCount + sliceCount - 1) / sliceCount + 127) / 128 * 128
        let slices = await ForkJoin.mapInTasks((rowCount + step - 1) / step) { slice in
            let start = slice * step
            let count = min(step, rowCount - start)
            var output = [Double](repeating: 0, count: count)
            features.withUnsafeBufferPointer { rows in
                output.withUnsafeMutableBufferPointer { out in
                    evaluator.predict(
                        rows: UnsafeBufferPointer(rebasing: rows[(start * columnCount)..<((start + count) * columnCount)]),
                        rowCount: count, into: out)
                }
            }
            return output
        }
        return Array(slices.joined())
    }
}
