import Model

/// A projection's value for every learn row as a dense id (ids numbered in row order of first
/// appearance, so they depend on no permutation and every fold shares them).
///
/// Ids are built part by part in mixed radix: the ids so far times the next part's value count
/// plus its value (a float or one-hot outcome is a part of two values), compacted after each
/// part through a table the size of that product. This was chosen over hashing each row's
/// 64-bit model key into an open-addressing table, which cost four times as much per row; the
/// model keys (`FeatureCombination.mix` over the categorical hashes, then the float and one-hot
/// outcomes, `CalcHashes` in catboost/libs/model/ctr_provider.h) are computed once per id, from
/// the id's first row, when a model or validation set needs them.
struct ProjectionIndex: Sendable {
    let ids: [UInt32]
    let uniqueCount: Int
    /// A product past this many ids is compacted by hashing instead of a direct table.
    static let directTableCountMax = 1 << 21

    /// `outcomes`, when given, are `Self.outcomes` of the projection (candidates narrowed by the
    /// same splits share them).
    init(_ projection: Projection, columns: [CategoricalColumn], dataset: QuantizedDataset, outcomes: [UInt32]? = nil) {
        let first = columns[projection.categorical[0]]
        var ids = first.valueIDs
        var count = first.uniqueCount
        for index in projection.categorical.dropFirst() {
            (ids, count) = Self.combine(ids, count: count, with: columns[index].valueIDs, valueCount: columns[index].uniqueCount)
        }
        // The float and one-hot outcomes as one part: bit k is split k's outcome.
        let splitCount = projection.floatSplits.count + projection.oneHotSplits.count
        if splitCount > 0 {
            let outcomes = outcomes ?? Self.outcomes(projection, columns: columns, dataset: dataset)
            (ids, count) = Self.combine(ids, count: count, with: outcomes, valueCount: 1 << splitCount)
        }
        self.ids = ids
        uniqueCount = count
    }

    /// Each row's float and one-hot outcomes as bits: bit k is split k's (floats first).
    static func outcomes(_ projection: Projection, columns: [CategoricalColumn], dataset: QuantizedDataset) -> [UInt32] {
        let rowCount = dataset.rowCount
        var outcomes = [UInt32](repeating: 0, count: rowCount)
        outcomes.withUnsafeMutableBufferPointer { outcomes in
            dataset.bins.withUnsafeBufferPointer { bins in
                for (bit, split) in projection.floatSplits.enumerated() {
                    let column = bins.baseAddress! + split.feature * rowCount
                    let border = UInt8(truncatingIfNeeded: split.borderIndex)
                    for row in 0..<rowCount { outcomes[row] |= UInt32(column[row] > border ? 1 : 0) << UInt32(bit) }
                }
            }
            for (offset, split) in projection.oneHotSplits.enumerated() {
                let bit = UInt32(projection.floatSplits.count + offset)
                columns[split.categorical].valueIDs.withUnsafeBufferPointer { ids in
                    for row in 0..<rowCount { outcomes[row] |= UInt32(ids[row] == split.valueID ? 1 : 0) << bit }
                }
            }
        }
        return outcomes
    }

    /// Dense ids of the pairs (ids[row], values[row]), in order of first appearance.
    static func combine(_ ids: [UInt32], count: Int, with values: [UInt32], valueCount: Int) -> ([UInt32], Int) {
        let product = count * valueCount
        var result = [UInt32](overwrittenCount: ids.count)
        var next: UInt32 = 0
        if product <= directTableCountMax {
            var table = [UInt32](repeating: .max, count: product)
            table.withUnsafeMutableBufferPointer { table in
                result.withUnsafeMutableBufferPointer { result in
                    for row in ids.indices {
                        let slot = Int(ids[row]) &* valueCount &+ Int(values[row])
                        if table[slot] == .max {
                            table[slot] = next
                            next &+= 1
                        }
                        result[row] = table[slot]
                    }
                }
            }
            return (result, Int(next))
        }
        var table: [UInt64: UInt32] = [:]
        for row in ids.indices {
            let pair = UInt64(ids[row]) << 32 | UInt64(values[row])
            if let id = table[pair] {
                result[row] = id
            } else {
                table[pair] = next
                result[row] = next
                next += 1
            }
        }
        return (result, Int(next))
    }

    /// Each id's model key, from the first row that has it.
    func keys(_ projection: Projection, columns: [CategoricalColumn], dataset: QuantizedDataset) -> [UInt64] {
        var firstRow = [Int](repeating: -1, count: uniqueCount)
        for (row, id) in ids.enumerated() where firstRow[Int(id)] < 0 { firstRow[Int(id)] = row }
        let rowCount = dataset.rowCount
        return firstRow.map { row in
            var key: UInt64 = 0
            for index in projection.categorical {
                key = FeatureCombination.mix(key, category: columns[index].hashes[Int(columns[index].valueIDs[row])])
            }
            for split in projection.floatSplits {
                key = FeatureCombination.mix(key, dataset.bins[split.feature * rowCount + row] > UInt8(split.borderIndex) ? 1 : 0)
            }
            for split in projection.oneHotSplits {
                key = FeatureCombination.mix(key, columns[split.categorical].valueIDs[row] == split.valueID ? 1 : 0)
            }
            return key
        }
    }
}
