extension RecordIOProtobufCodec {
    /// Turns decoded records into rows of a row-major feature matrix, checking each against the
    /// model's column count. Nothing a record declares (a shape, a key) sizes an allocation: a
    /// row is always `columnCount` values, and a record's own arrays were bounded by its bytes.
    struct RowAssembler {
        let columnCount: Int
        private(set) var features: [Float] = []
        private(set) var rowCount = 0
        /// For each column, the number of the last sparse row that set it: a repeated key is
        /// caught without a per-row set (allocated on the first sparse row).
        private var columnLastSetInRow: [Int] = []

        init(columnCount: Int) { self.columnCount = columnCount }

        mutating func append(_ record: Aialgs_Data_Record, number: Int) throws(InvocationError) {
            guard let value = record.features[vectorKey] else {
                let names = record.features.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                throw .badRequest(
                    "RecordIO record \(number): no feature named \"values\" (the row's tensor)"
                        + (names.isEmpty ? "" : "; it has \(names)"))
            }
            switch value.value {
            case .float32Tensor(let tensor)?:
                try append(values: tensor.values, keys: tensor.keys, shape: tensor.shape, number: number) { $0 }
            case .float64Tensor(let tensor)?:
                try append(values: tensor.values, keys: tensor.keys, shape: tensor.shape, number: number) { Float($0) }
            case .int32Tensor(let tensor)?:
                try append(values: tensor.values, keys: tensor.keys, shape: tensor.shape, number: number) { Float($0) }
            case .bytes?:
                throw .badRequest("RecordIO record \(number): feature \"values\" holds bytes; send a float32, float64 or int32 tensor")
            case nil:
                throw .badRequest("RecordIO record \(number): feature \"values\" holds no tensor")
            }
            rowCount += 1
        }

        /// A dense row has no keys and a value per column; a sparse row has keys (or, all its
        /// columns absent, neither keys nor values but a shape, as the SDK writes an empty row).
        private mutating func append<Element>(
            values: [Element], keys: [UInt64], shape: [UInt64], number: Int, asFloat: (Element) -> Float
        ) throws(InvocationError) {
            guard shape.isEmpty || shape == [UInt64(columnCount)] else {
                throw .badRequest(
                    "RecordIO record \(number): shape \(shape) is not [\(columnCount)], the model's column count (one row per record)")
            }
            let isSparse = !keys.isEmpty || (values.isEmpty && !shape.isEmpty)
            guard isSparse else {
                guard values.count == columnCount else {
                    throw .badRequest("RecordIO record \(number): \(values.count) values, the model expects \(columnCount) columns")
                }
                features.append(contentsOf: values.lazy.map(asFloat))
                return
            }
            guard keys.count == values.count else {
                throw .badRequest("RecordIO record \(number): sparse tensor with \(keys.count) keys for \(values.count) values")
            }
            if columnLastSetInRow.isEmpty { columnLastSetInRow = Array(repeating: 0, count: columnCount) }
            let start = features.count
            features.append(contentsOf: repeatElement(0, count: columnCount))
            for (key, value) in zip(keys, values) {
                guard key < UInt64(columnCount), columnLastSetInRow[Int(key)] != number else {
                    throw .badRequest("RecordIO record \(number): sparse key \(key) is not a new column index in 0..<\(columnCount)")
                }
                columnLastSetInRow[Int(key)] = number
                features[start + Int(key)] = asFloat(value)
            }
        }
    }
}
