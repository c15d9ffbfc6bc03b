extension Ensemble {
    /// The categorical part of `summary`: each categorical feature and its one-hot values, then
    /// each CTR feature with its combination, type, prior and table size.
    var categoricalSummary: [String] {
        guard hasCategoricalFeatures else { return [] }
        var lines = ["categorical features (column, name, one-hot values):"]
        for (index, feature) in categoricalFeatures.enumerated() {
            let oneHot = oneHotFeatures.first { $0.categoricalFeatureIndex == index }
            lines.append("  \(feature.columnIndex)\t\(feature.name.isEmpty ? "-" : feature.name)\t\(oneHot.map { "\($0.values.count)" } ?? "-")")
        }
        lines.append("CTRs (type, combination, prior, target border, borders, table entries):")
        for ctr in ctrFeatures {
            let prior = "\(ctr.priorNumerator)/\(ctr.priorDenominator)"
            lines.append(
                "  \(ctr.type.catBoostName)\t\(describe(ctr.combination))\t\(prior)\t\(ctr.targetBorderIndex)\t\(ctr.borders.count)\t\(ctrTables[ctr.tableIndex].entryCount)")
        }
        return lines
    }

    /// `carrier × origin × (distance > 1000.5) × (dest = 0x1a2b3c4d)`, by column names where known.
    func describe(_ combination: FeatureCombination) -> String {
        func name(categorical index: Int) -> String {
            let feature = categoricalFeatures[index]
            return feature.name.isEmpty ? "column \(feature.columnIndex)" : feature.name
        }
        var parts = combination.categoricalFeatures.map { name(categorical: $0) }
        for split in combination.floatSplits {
            let feature = features[split.floatFeatureIndex]
            parts.append("(\(feature.name.isEmpty ? "column \(feature.columnIndex)" : feature.name) > \(split.border))")
        }
        for split in combination.oneHotSplits {
            parts.append("(\(name(categorical: split.categoricalFeatureIndex)) = hash \(split.value))")
        }
        return parts.joined(separator: " × ")
    }
}
