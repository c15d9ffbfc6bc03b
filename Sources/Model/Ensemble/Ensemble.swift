/// A trained model: oblivious trees over float and categorical features,
/// `prediction = scale · Σ leaf + bias`.
///
/// This is the one in-memory model type; CatBoost JSON, CatBoost `.cbm` and our own format
/// all convert to and from it at the edge.
///
/// A split's `featureIndex` counts CatBoost's way (its "bin features"): first the float
/// features, then the one-hot features, then the CTR features (`splitFeature(at:)`). Numeric
/// models have only the first kind.
public struct Ensemble: Sendable, Hashable {
    public var features: [FloatFeature]
    public var categoricalFeatures: [CategoricalFeature]
    public var oneHotFeatures: [OneHotFeature]
    public var ctrFeatures: [CTRFeature]
    public var ctrTables: [CTRTable]
    public var trees: [ObliviousTree]
    public var scale: Double
    public var bias: Double
    /// The loss the model was trained with, in CatBoost's spelling (`"RMSE"`, `"Quantile:alpha=0.9"`).
    public var lossFunction: String
    /// Free-form training parameters, stored verbatim (CatBoost JSON `model_info.params`).
    public var parametersJSON: String

    public init(
        features: [FloatFeature], categoricalFeatures: [CategoricalFeature] = [], oneHotFeatures: [OneHotFeature] = [],
        ctrFeatures: [CTRFeature] = [], ctrTables: [CTRTable] = [], trees: [ObliviousTree], scale: Double = 1,
        bias: Double = 0, lossFunction: String = "RMSE", parametersJSON: String = ""
    ) {
        self.features = features
        self.categoricalFeatures = categoricalFeatures
        self.oneHotFeatures = oneHotFeatures
        self.ctrFeatures = ctrFeatures
        self.ctrTables = ctrTables
        self.trees = trees
        self.scale = scale
        self.bias = bias
        self.lossFunction = lossFunction
        self.parametersJSON = parametersJSON
    }

    /// How many columns an input row must have: one past the largest column any feature reads.
    public var columnCount: Int {
        max(features.reduce(0) { max($0, $1.columnIndex + 1) }, categoricalFeatures.reduce(0) { max($0, $1.columnIndex + 1) })
    }

    /// Whether the model reads categorical columns (and so needs text-aware row parsing).
    public var hasCategoricalFeatures: Bool { !categoricalFeatures.isEmpty }

    /// The input columns that hold category text, ascending.
    public var categoricalColumns: [Int] { categoricalFeatures.map(\.columnIndex).sorted() }

    public var predictionTransform: PredictionTransform {
        PredictionTransform(lossFunction: lossFunction)
    }

    /// Checks every structural invariant the evaluators rely on. Called right after reading
    /// and right before writing any model file, so a bad model is rejected at the edge.
    public func validate() throws(ModelError) {
        guard scale.isFinite else { throw .invalid("scale \(scale) is not finite") }
        guard bias.isFinite else { throw .invalid("bias \(bias) is not finite") }
        var columnsSeen = Set<Int>()
        for (index, feature) in features.enumerated() {
            guard feature.columnIndex >= 0 else {
                throw .invalid("feature \(index) has negative column index \(feature.columnIndex)")
            }
            guard feature.columnIndex < 1 << 20 else {
                throw .invalid("feature \(index) column index \(feature.columnIndex) is too large")
            }
            guard columnsSeen.insert(feature.columnIndex).inserted else {
                throw .invalid("two features read column \(feature.columnIndex)")
            }
            for (borderIndex, border) in feature.borders.enumerated() {
                guard !border.isNaN else {
                    throw .invalid("feature \(index) border \(borderIndex) is NaN")
                }
                if borderIndex > 0 {
                    guard feature.borders[borderIndex - 1] < border else {
                        throw .invalid("feature \(index) borders are not strictly increasing at \(borderIndex)")
                    }
                }
            }
        }
        try validateCategoricalParts(columnsSeen: &columnsSeen)
        for (treeIndex, tree) in trees.enumerated() {
            guard tree.depth <= ObliviousTree.depthMax else {
                throw .invalid("tree \(treeIndex) has depth \(tree.depth) > \(ObliviousTree.depthMax)")
            }
            guard tree.leafValues.count == tree.leafCount else {
                throw .invalid(
                    "tree \(treeIndex) has \(tree.leafValues.count) leaf values, expected \(tree.leafCount)")
            }
            guard tree.leafWeights.isEmpty || tree.leafWeights.count == tree.leafCount else {
                throw .invalid(
                    "tree \(treeIndex) has \(tree.leafWeights.count) leaf weights, expected \(tree.leafCount)")
            }
            for (leafIndex, value) in tree.leafValues.enumerated() {
                guard value.isFinite else {
                    throw .invalid("tree \(treeIndex) leaf \(leafIndex) value \(value) is not finite")
                }
            }
            for (level, split) in tree.splits.enumerated() {
                guard split.featureIndex >= 0, split.featureIndex < splitFeatureCount else {
                    throw .invalid(
                        "tree \(treeIndex) split \(level) names feature \(split.featureIndex) of \(splitFeatureCount)")
                }
                let borderCount = splitFeature(at: split.featureIndex).thresholdCount(in: self)
                guard split.borderIndex >= 0, split.borderIndex < borderCount else {
                    throw .invalid(
                        "tree \(treeIndex) split \(level) names border \(split.borderIndex) of \(borderCount)")
                }
            }
        }
    }
}
