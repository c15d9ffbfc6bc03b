/// The scalar reference evaluator: CatBoost's semantics written as plainly as possible, with no
/// quantization and no vectorization. The fast `Evaluator` is tested against it (as treelite
/// tests its compiled models against GTIL).
public struct ReferenceEvaluator: Sendable {
    public let ensemble: Ensemble

    public init(_ ensemble: Ensemble) {
        self.ensemble = ensemble
    }

    /// `scale · Σ_t leaf_t(row) + bias`, before any prediction transform.
    ///
    /// - Precondition: `row.count >= ensemble.columnCount`.
    public func predictRaw(row: [Float]) -> Double {
        precondition(row.count >= ensemble.columnCount, "row has \(row.count) columns, model reads \(ensemble.columnCount)")
        var sum = 0.0
        for tree in ensemble.trees {
            var leafIndex = 0
            for (level, split) in tree.splits.enumerated() {
                let feature = ensemble.features[split.featureIndex]
                let value = feature.nanValueTreatment.substitute(row[feature.columnIndex])
                // CatBoost: the split is true when the float32 value is strictly above the border.
                if value > feature.borders[split.borderIndex] {
                    leafIndex |= 1 << level
                }
            }
            sum += tree.leafValues[leafIndex]
        }
        return ensemble.scale * sum + ensemble.bias
    }

    public func predict(row: [Float]) -> Double {
        ensemble.predictionTransform.apply(predictRaw(row: row))
    }
}
