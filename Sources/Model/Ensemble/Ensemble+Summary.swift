extension Ensemble {
    /// A human-readable description for `symmetree inspect`.
    public var summary: String {
        var lines: [String] = []
        lines.append("trees: \(trees.count)")
        var depthCounts: [Int: Int] = [:]
        for tree in trees { depthCounts[tree.depth, default: 0] += 1 }
        lines.append("depths: " + depthCounts.keys.sorted().map { "\($0)×\(depthCounts[$0]!)" }.joined(separator: ", "))
        lines.append("leaves: \(trees.reduce(0) { $0 + $1.leafCount })")
        lines.append("input columns: \(columnCount)")
        lines.append("float features: \(features.count)")
        lines.append("categorical features: \(categoricalFeatures.count) (one-hot: \(oneHotFeatures.count), CTRs: \(ctrFeatures.count) in \(ctrTables.count) tables)")
        lines.append("loss function: \(lossFunction) (prediction: \(predictionTransform))")
        lines.append("scale: \(scale)")
        lines.append("bias: \(bias)")
        let usedBorders = usedBorderIndexes
        lines.append("features (column, name, borders, used borders, NaN treatment):")
        for (index, feature) in features.enumerated() {
            lines.append(
                "  \(feature.columnIndex)\t\(feature.name.isEmpty ? "-" : feature.name)\t\(feature.borders.count)\t\(usedBorders[index].count)\t\(feature.nanValueTreatment.catBoostName)")
        }
        lines += categoricalSummary
        return lines.joined(separator: "\n")
    }
}
