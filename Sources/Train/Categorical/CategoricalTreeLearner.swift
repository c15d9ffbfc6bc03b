import Model

/// Grows one symmetric tree over static features (float borders and one-hot values, quantized
/// once) and CTR features, whose buckets come from the taken fold's ordered statistics. Each
/// level follows CatBoost's `GreedyTensorSearchOblivious` (catboost/private/libs/algo/
/// greedy_tensor_search.cpp): candidates are the static features, every single-feature CTR and
/// the tree's combinations (`AddTreeCtrs`); scores as for numeric features, a CTR's shrunk by
/// `model_size_reg` until its table is in the model; the best split routes every row.
struct CategoricalTreeLearner: Sendable {
    let dataset: QuantizedDataset
    /// Per static feature: one-hot (equality on value indexes) or ordinal (bin above a border).
    let isOneHot: [Bool]
    /// For one-hot static features, the categorical column they read (nil for float features).
    let oneHotColumn: [Int?]
    let depth: Int
    let scoreFunction: ScoreFunction
    let rsm: Double
    let blockCount: Int
    let modelSizeReg: Double
    let maxComplexity: Int
    /// Categorical columns CTRs are built from (more values than one_hot_max_size), increasing.
    let ctrColumns: [Int]

    struct GrownTree {
        var splits: [CategoricalSplit]
        var leafOfRow: [UInt16]
    }

    /// A scored candidate.
    struct Candidate {
        var split: CategoricalSplit
        var score: Double
    }

    func grow(
        sample: SampledRows, store: CTRStore, fold: Int, permutation: [UInt32], usedTables: Set<UsedTable>, l2: Double,
        noiseDeviation: Double, random: inout RandomGenerator
    ) async -> GrownTree {
        let rowCount = dataset.rowCount
        var leafOfRow = [UInt16](repeating: 0, count: rowCount)
        var splits: [CategoricalSplit] = []
        var gradientWeightOfRow = [SIMD2<Double>](repeating: .zero, count: rowCount)
        for (position, row) in sample.rowIndex.enumerated() { gradientWeightOfRow[Int(row)] = sample.gradientWeight[position] }
        for level in 0..<depth {
            let staticFeatures = (0..<dataset.featureCount).filter { _ in rsm >= 1 || random.nextUnitInterval() <= rsm }
            let (projections, recurring) = candidateProjections(splits: splits, random: &random)
            store.prepare(projections.filter { recurring.contains($0) }, fold: fold, permutation: permutation)
            let noise = noiseDeviation > 0 ? (deviation: noiseDeviation, seed: random.next()) : nil
            let partition = LeafPartition(grouping: sample, leafOfRow: leafOfRow, leafCount: 1 << level)
            let rows = partition.grouped(sample, included: [Bool](repeating: true, count: 1 << level))
            // Static histograms (a task) and CTR candidates (Dispatch blocks) run side by side.
            async let staticBest = bestStatic(rows: rows, features: staticFeatures, l2: l2, noise: noise)
            let ctrBest = bestCTR(
                projections: projections, store: store, fold: fold, permutation: permutation, rows: rows, leafOfRow: leafOfRow,
                gradientWeightOfRow: gradientWeightOfRow, leafCount: 1 << level, usedTables: usedTables, l2: l2, noise: noise)
            var best = await staticBest
            if let ctrBest, best == nil || ctrBest.score > best!.score { best = ctrBest }
            guard let best else { break }
            splits.append(best.split)
            source(best.split, store: store, fold: fold, permutation: permutation)
                .route(bit: UInt16(1) << UInt16(level), leafOfRow: &leafOfRow, blockCount: blockCount)
            if let redundant = TreeLearner.redundantSplit(leafOfRow: leafOfRow, leafCount: 2 << level) {
                splits.remove(at: redundant)
                TreeLearner.removeBit(redundant, from: &leafOfRow)
                break
            }
        }
        return GrownTree(splits: splits, leafOfRow: leafOfRow)
    }

    /// Single-feature CTRs, then `AddTreeCtrs`' combinations: the tree's float and one-hot splits
    /// together, and each projection a CTR split of the tree used, each with one more categorical
    /// feature, within `max_ctr_complexity`.
    func candidateProjections(splits: [CategoricalSplit], random: inout RandomGenerator) -> (all: [Projection], recurring: Set<Projection>) {
        var result: [Projection] = []
        var recurring = Set<Projection>()
        var seen = Set<Projection>()
        for column in ctrColumns where rsm >= 1 || random.nextUnitInterval() <= rsm {
            let projection = Projection(categorical: [column])
            if seen.insert(projection).inserted { result.append(projection) }
        }
        guard !splits.isEmpty else { return (result, recurring) }
        var bases: [Projection] = [treeProjection(splits)]
        for split in splits { if let projection = split.projection, !bases.contains(projection) { bases.append(projection) } }
        for base in bases where !(base.categorical.isEmpty && base.floatSplits.isEmpty && base.oneHotSplits.isEmpty) {
            for column in ctrColumns where rsm >= 1 || random.nextUnitInterval() <= rsm {
                guard let projection = base.adding(categorical: column), projection.complexity <= maxComplexity else { continue }
                if seen.insert(projection).inserted { result.append(projection) }
                // Extensions of the tree's CTR projections come back at every later level.
                if base != bases[0] { recurring.insert(projection) }
            }
        }
        return (result, recurring)
    }

    /// The tree's float and one-hot splits as a projection without categorical features
    /// (CatBoost's `binAndOneHotFeaturesTree`).
    func treeProjection(_ splits: [CategoricalSplit]) -> Projection {
        var projection = Projection(categorical: [])
        for case .staticFeature(let feature, let borderIndex) in splits {
            if let column = oneHotColumn[feature] {
                projection.oneHotSplits.append(.init(categorical: column, valueID: UInt32(borderIndex)))
            } else {
                projection.floatSplits.append(.init(feature: feature, borderIndex: borderIndex))
            }
        }
        projection.floatSplits = Array(Set(projection.floatSplits)).sorted()
        projection.oneHotSplits = Array(Set(projection.oneHotSplits)).sorted()
        return projection
    }
}
