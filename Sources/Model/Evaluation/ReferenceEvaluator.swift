/// The scalar reference evaluator: CatBoost's semantics written as plainly as possible, with no
/// quantization, no vectorization and no re-expression of categorical splits. The fast
/// `Evaluator` is tested against it (as treelite tests its compiled models against GTIL).
public struct ReferenceEvaluator: Sendable {
    public let ensemble: Ensemble
    /// Per CTR table, key → entry: a dictionary, not the table's own probing, so the reference
    /// shares no lookup code with the fast path.
    private let entries: [[UInt64: Int]]

    public init(_ ensemble: Ensemble) {
        self.ensemble = ensemble
        entries = ensemble.ctrTables.map { table in
            Dictionary(uniqueKeysWithValues: table.keys.enumerated().map { ($1, $0) })
        }
    }

    /// `scale · Σ_t leaf_t(row) + bias`, before any prediction transform. Categorical columns
    /// hold their value's `CategoryHash` as a bit pattern.
    ///
    /// - Precondition: `row.count >= ensemble.columnCount`.
    public func predictRaw(row: [Float]) -> Double {
        precondition(row.count >= ensemble.columnCount, "row has \(row.count) columns, model reads \(ensemble.columnCount)")
        var sum = 0.0
        for tree in ensemble.trees {
            var leafIndex = 0
            for (level, split) in tree.splits.enumerated() where passes(split, row: row) {
                leafIndex |= 1 << level
            }
            sum += tree.leafValues[leafIndex]
        }
        return ensemble.scale * sum + ensemble.bias
    }

    public func predict(row: [Float]) -> Double {
        ensemble.predictionTransform.apply(predictRaw(row: row))
    }

    private func passes(_ split: TreeSplit, row: [Float]) -> Bool {
        switch ensemble.splitFeature(at: split.featureIndex) {
        case .float(let index):
            // CatBoost: the split is true when the float32 value is strictly above the border.
            let feature = ensemble.features[index]
            return feature.nanValueTreatment.substitute(row[feature.columnIndex]) > feature.borders[split.borderIndex]
        case .oneHot(let index):
            let oneHot = ensemble.oneHotFeatures[index]
            return category(oneHot.categoricalFeatureIndex, row: row) == oneHot.values[split.borderIndex]
        case .ctr(let index):
            let ctr = ensemble.ctrFeatures[index]
            return ctrValue(ctr, row: row) > ctr.borders[split.borderIndex]
        }
    }

    private func category(_ feature: Int, row: [Float]) -> UInt32 {
        CategoryHash.hash(storedIn: row[ensemble.categoricalFeatures[feature].columnIndex])
    }

    /// `TStaticCtrProvider::CalcCtrs` for one row: the combination's key
    /// (`CalcHashes`, `catboost/libs/model/ctr_provider.h`), its table entry, `TModelCtr::Calc`.
    func ctrValue(_ ctr: CTRFeature, row: [Float]) -> Float {
        var key: UInt64 = 0
        for feature in ctr.combination.categoricalFeatures {
            key = FeatureCombination.mix(key, category: category(feature, row: row))
        }
        for split in ctr.combination.floatSplits {
            let feature = ensemble.features[split.floatFeatureIndex]
            let passes = feature.nanValueTreatment.substitute(row[feature.columnIndex]) > split.border
            key = FeatureCombination.mix(key, passes ? 1 : 0)
        }
        for split in ctr.combination.oneHotSplits {
            key = FeatureCombination.mix(key, category(split.categoricalFeatureIndex, row: row) == split.value ? 1 : 0)
        }
        return ctr.value(in: ensemble.ctrTables[ctr.tableIndex], entry: entries[ctr.tableIndex][key])
    }
}
