import Model

/// The validation rows of a categorical run: static bins as the learn set's, categorical hashes,
/// and each used projection's CTR buckets from the whole learn set's statistics (CatBoost's
/// test CTRs, `ctrsForTest` in online_ctr.cpp: every learn row counts, as in the final model).
struct CategoricalEvalSet {
    let rowCount: Int
    /// Column-major, the learn dataset's static features.
    let staticBins: [UInt8]
    /// Per static feature: one-hot (equality) or float (border).
    let isOneHot: [Bool]
    /// Per categorical column, each row's hash.
    let hashes: [[UInt32]]
    let targets: [Float]
    let weights: [Double]
    var approx: [Double]
    private var buckets: [Projection: [UInt8]] = [:]

    init(
        rowCount: Int, staticBins: [UInt8], isOneHot: [Bool], hashes: [[UInt32]], targets: [Float], weights: [Double], bias: Double
    ) {
        self.rowCount = rowCount
        self.staticBins = staticBins
        self.isOneHot = isOneHot
        self.hashes = hashes
        self.targets = targets
        self.weights = weights
        approx = [Double](repeating: bias, count: rowCount)
    }

    /// Adds a tree's leaves to the approx and returns the eval metric.
    mutating func add(_ splits: [CategoricalSplit], leafValues: [Double], store: CTRStore, options: ResolvedParameters) -> Double {
        var leafOfRow = [Int](repeating: 0, count: rowCount)
        for (level, split) in splits.enumerated() {
            let side = sides(split, store: store)
            for row in 0..<rowCount where side[row] { leafOfRow[row] |= 1 << level }
        }
        for row in 0..<rowCount { approx[row] += leafValues[leafOfRow[row]] }
        return options.evalMetric.evaluate(targets: targets, approx: approx, weights: weights)
    }

    private mutating func sides(_ split: CategoricalSplit, store: CTRStore) -> [Bool] {
        switch split {
        case .staticFeature(let feature, let borderIndex):
            let column = staticBins[(feature * rowCount)..<((feature + 1) * rowCount)]
            let border = UInt8(truncatingIfNeeded: borderIndex)
            return isOneHot[feature] ? column.map { $0 == border } : column.map { $0 > border }
        case .ctr(let projection, let output, let borderIndex):
            if buckets[projection] == nil { buckets[projection] = ctrBuckets(projection, store: store) }
            let width = store.layout(projection).width
            let block = buckets[projection]!
            return (0..<rowCount).map { Int(block[$0 * width + output]) > borderIndex }
        }
    }

    /// Each eval row's buckets for every output of the projection, from full learn counts.
    private func ctrBuckets(_ projection: Projection, store: CTRStore) -> [UInt8] {
        let index = store.index(projection)
        let layout = store.layout(projection)
        var idOfKey: [UInt64: Int] = [:]
        for (id, key) in store.keys(projection).enumerated() { idOfKey[key] = id }
        let statistics = FinalCTRStatistics(index: index, layout: layout, store: store)
        var block = [UInt8](repeating: 0, count: rowCount * layout.width)
        for row in 0..<rowCount {
            let id = idOfKey[key(projection, row: row, store: store)]
            for output in layout.outputs.indices {
                block[row * layout.width + output] = statistics.bucket(id: id, output: output)
            }
        }
        return block
    }

    /// The row's model key (as `ProjectionIndex.rowKeys` computes learn rows').
    private func key(_ projection: Projection, row: Int, store: CTRStore) -> UInt64 {
        var key: UInt64 = 0
        for column in projection.categorical { key = FeatureCombination.mix(key, category: hashes[column][row]) }
        for split in projection.floatSplits {
            key = FeatureCombination.mix(key, staticBins[split.feature * rowCount + row] > UInt8(split.borderIndex) ? 1 : 0)
        }
        for split in projection.oneHotSplits {
            let hash = store.columns[split.categorical].hashes[Int(split.valueID)]
            key = FeatureCombination.mix(key, hashes[split.categorical][row] == hash ? 1 : 0)
        }
        return key
    }
}
