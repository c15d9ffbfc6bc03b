extension Ensemble {
    /// Float features, then one-hot features, then CTR features.
    public var splitFeatureCount: Int { features.count + oneHotFeatures.count + ctrFeatures.count }

    public func splitFeature(at index: Int) -> SplitFeature {
        if index < features.count { return .float(index) }
        if index < features.count + oneHotFeatures.count { return .oneHot(index - features.count) }
        return .ctr(index - features.count - oneHotFeatures.count)
    }

    /// The split-feature index of one-hot feature `index` (inverse of `splitFeature(at:)`).
    public func splitFeatureIndex(oneHot index: Int) -> Int { features.count + index }

    /// The split-feature index of CTR feature `index`.
    public func splitFeatureIndex(ctr index: Int) -> Int { features.count + oneHotFeatures.count + index }

    /// Checks the categorical parts: columns distinct from every other feature's, indexes in
    /// range, CTR borders increasing, each CTR's table of its own combination and type.
    func validateCategoricalParts(columnsSeen: inout Set<Int>) throws(ModelError) {
        for (index, feature) in categoricalFeatures.enumerated() {
            guard feature.columnIndex >= 0, feature.columnIndex < 1 << 20 else {
                throw .invalid("categorical feature \(index) has column index \(feature.columnIndex)")
            }
            guard columnsSeen.insert(feature.columnIndex).inserted else {
                throw .invalid("two features read column \(feature.columnIndex)")
            }
        }
        for (index, oneHot) in oneHotFeatures.enumerated() {
            guard categoricalFeatures.indices.contains(oneHot.categoricalFeatureIndex) else {
                throw .invalid("one-hot feature \(index) names categorical feature \(oneHot.categoricalFeatureIndex) of \(categoricalFeatures.count)")
            }
        }
        for (index, table) in ctrTables.enumerated() {
            try validate(table.combination, context: "CTR table \(index)")
            try table.validate(context: "CTR table \(index)")
        }
        for (index, ctr) in ctrFeatures.enumerated() {
            let context = "CTR feature \(index)"
            guard ctrTables.indices.contains(ctr.tableIndex) else {
                throw .invalid("\(context) names table \(ctr.tableIndex) of \(ctrTables.count)")
            }
            let table = ctrTables[ctr.tableIndex]
            guard table.combination == ctr.combination, table.type == ctr.type else {
                throw .invalid("\(context) reads a table of another combination or CTR type")
            }
            guard ctr.targetBorderIndex >= 0, ctr.type.usesCounterDenominator || ctr.type.storesMeanHistory
                || ctr.targetBorderIndex < table.stride else {
                throw .invalid("\(context) target border \(ctr.targetBorderIndex) of \(table.stride) classes")
            }
            for (position, border) in ctr.borders.enumerated() {
                guard !border.isNaN, position == 0 || ctr.borders[position - 1] < border else {
                    throw .invalid("\(context) borders are NaN or not strictly increasing at \(position)")
                }
            }
        }
    }

    private func validate(_ combination: FeatureCombination, context: String) throws(ModelError) {
        guard !combination.categoricalFeatures.isEmpty else { throw .invalid("\(context) has no categorical feature") }
        for index in combination.categoricalFeatures where !categoricalFeatures.indices.contains(index) {
            throw .invalid("\(context) names categorical feature \(index) of \(categoricalFeatures.count)")
        }
        for split in combination.floatSplits where !features.indices.contains(split.floatFeatureIndex) {
            throw .invalid("\(context) names float feature \(split.floatFeatureIndex) of \(features.count)")
        }
        for split in combination.oneHotSplits where !categoricalFeatures.indices.contains(split.categoricalFeatureIndex) {
            throw .invalid("\(context) names categorical feature \(split.categoricalFeatureIndex) of \(categoricalFeatures.count)")
        }
    }
}
