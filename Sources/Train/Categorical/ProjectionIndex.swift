import Model

/// A projection's value for every learn row as a dense id, and each id's model key: the 64-bit
/// hash CatBoost's evaluator computes for such a row (`FeatureCombination.mix` over the
/// categorical hashes, then the float and one-hot outcomes; `CalcHashes` in
/// catboost/libs/model/ctr_provider.h). Ids are numbered in row order of first appearance, so
/// they do not depend on any permutation and every fold shares them.
struct ProjectionIndex: Sendable {
    let ids: [UInt32]
    /// `keys[id]`.
    let keys: [UInt64]

    var uniqueCount: Int { keys.count }

    /// A single feature's ids are its value ids; a combination's come from keys, reindexed.
    init(_ projection: Projection, columns: [CategoricalColumn], dataset: QuantizedDataset, threadCount: Int) {
        if projection.isSingleFeature {
            let column = columns[projection.categorical[0]]
            ids = column.valueIDs
            keys = column.hashes.map { FeatureCombination.mix(0, category: $0) }
            return
        }
        let rowKeys = Self.rowKeys(projection, columns: columns, dataset: dataset, threadCount: threadCount)
        (ids, keys) = Self.reindex(rowKeys)
    }

    /// Each row's model key, rows in blocks on every thread.
    static func rowKeys(_ projection: Projection, columns: [CategoricalColumn], dataset: QuantizedDataset, threadCount: Int) -> [UInt64] {
        let rowCount = dataset.rowCount
        var keys = [UInt64](repeating: 0, count: rowCount)
        let blocks = RowBlocks(rowCount: rowCount, threadCount: threadCount)
        keys.withUnsafeMutableBufferPointer { keys in
            let shared = SharedRows(keys)
            _ = blocks.run { _, rows in
                for index in projection.categorical {
                    let column = columns[index]
                    column.valueIDs.withUnsafeBufferPointer { ids in
                        column.hashes.withUnsafeBufferPointer { hashes in
                            for row in rows { shared[row] = FeatureCombination.mix(shared[row], category: hashes[Int(ids[row])]) }
                        }
                    }
                }
                dataset.bins.withUnsafeBufferPointer { bins in
                    for split in projection.floatSplits {
                        let column = bins.baseAddress! + split.feature * rowCount
                        let threshold = UInt8(truncatingIfNeeded: split.borderIndex)
                        for row in rows { shared[row] = FeatureCombination.mix(shared[row], column[row] > threshold ? 1 : 0) }
                    }
                }
                for split in projection.oneHotSplits {
                    columns[split.categorical].valueIDs.withUnsafeBufferPointer { ids in
                        for row in rows { shared[row] = FeatureCombination.mix(shared[row], ids[row] == split.valueID ? 1 : 0) }
                    }
                }
                return 0
            }
        }
        return keys
    }

    /// Dense ids for keys, in order of first appearance (open addressing on the key's low bits,
    /// which `mix` has spread).
    static func reindex(_ rowKeys: [UInt64]) -> (ids: [UInt32], keys: [UInt64]) {
        var capacity = 16
        while capacity < rowKeys.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slotKeys = [UInt64](repeating: 0, count: capacity)
        var slotIDs = [UInt32](repeating: .max, count: capacity)
        var ids = [UInt32](overwrittenCount: rowKeys.count)
        var keys: [UInt64] = []
        slotKeys.withUnsafeMutableBufferPointer { slotKeys in
            slotIDs.withUnsafeMutableBufferPointer { slotIDs in
                ids.withUnsafeMutableBufferPointer { ids in
                    for (row, key) in rowKeys.enumerated() {
                        var slot = Int(truncatingIfNeeded: key) & mask
                        while slotIDs[slot] != .max, slotKeys[slot] != key { slot = (slot &+ 1) & mask }
                        if slotIDs[slot] == .max {
                            slotKeys[slot] = key
                            slotIDs[slot] = UInt32(keys.count)
                            keys.append(key)
                        }
                        ids[row] = slotIDs[slot]
                    }
                }
            }
        }
        return (ids, keys)
    }
}
