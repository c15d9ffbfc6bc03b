import Model

/// Parse-and-score throughput on text rows (a categorical model's CSV): per batch, the rows'
/// lines are parsed with the evaluator's schema (categories hashed) and scored. Prints one JSON
/// object per batch size, plus the scoring-only rate of pre-parsed rows at the largest batch.
func measureTextRows(_ bytes: [UInt8], evaluator: Evaluator, seconds: Double) {
    var lines: [[UInt8]] = []
    bytes.withUnsafeBufferPointer { text in
        CSVRowParser.forEachLine(in: text) { line, _ in if !line.isEmpty { lines.append(Array(line) + [0x0A]) } }
    }
    let schema = evaluator.schema
    for batch in [1, 100, 10_000, 1_000_000] where batch <= lines.count {
        let bodies: [[UInt8]] = (0..<min(lines.count / batch, 16)).map { index in
            Array(lines[(index * batch)..<((index + 1) * batch)].joined())
        }
        var values: [Float] = []
        values.reserveCapacity(batch * evaluator.columnCount)
        var output = [Double](repeating: 0, count: batch)
        var (scored, checksum, iteration) = (0, 0.0, 0)
        let start = now()
        while now() - start < seconds {
            for _ in 0..<max(1, 20_000 / batch) {
                values.removeAll(keepingCapacity: true)
                bodies[iteration % bodies.count].withUnsafeBufferPointer { body in
                    CSVRowParser.forEachLine(in: body) { line, number in
                        _ = try? CSVRowParser.parse(line: line, lineNumber: number, schema: schema, into: &values)
                    }
                }
                if batch == 1 {
                    checksum += evaluator.predict(row: values)
                } else {
                    evaluator.predict(features: values, rowCount: batch, into: &output)
                    checksum += output[0]
                }
                scored += batch
                iteration += 1
            }
        }
        let rate = Double(scored) / (now() - start)
        print("{\"batch\": \(batch), \"rows_per_second\": \(rate), \"checksum\": \(checksum)}")
    }
}
