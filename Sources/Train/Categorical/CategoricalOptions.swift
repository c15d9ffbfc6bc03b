/// The training options for categorical features, by CatBoost's names
/// (catboost/private/libs/options/cat_feature_options.cpp and catboost_options.cpp).
public struct CategoricalOptions: Sendable, Hashable {
    /// `cat_features` (and the training channel's `categorical_index.json`).
    public var declaration = CategoricalDeclaration()
    /// `one_hot_max_size`: features with at most this many learn values get one-hot splits
    /// (CatBoost's CPU default for regression, 2); at most 255.
    public var oneHotMaxSize = 2
    /// `max_ctr_complexity`: the most categorical parts a combination may have (a combination's
    /// float and one-hot splits count as one more); nil: 4, or 1 when iterations < 200.
    public var maxCTRComplexity: Int?
    /// `simple_ctr`: the CTRs of single features; nil: `CTRDescription.defaults`.
    public var simpleCTR: [CTRDescription]?
    /// `combinations_ctr`: the CTRs of combinations; nil: `CTRDescription.defaults`.
    public var combinationsCTR: [CTRDescription]?
    /// `per_feature_ctr`: a feature's own simple CTRs, replacing `simple_ctr` for it.
    public var perFeatureCTR: [Int: [CTRDescription]] = [:]
    /// `model_size_reg`: how much a CTR's table size counts against choosing it (0.5).
    public var modelSizeReg = 0.5
    /// `permutation_count`: permutations of the learn set the ordered statistics run over; one
    /// more than the learning folds (the last is the averaging fold the model's leaves come from).
    public var permutationCount = 4

    public init() {}

    /// The resolved `max_ctr_complexity` (CatBoost's `SetCtrDefaults`: 1 below 200 iterations).
    func resolvedMaxCTRComplexity(iterations: Int) -> Int {
        maxCTRComplexity ?? (iterations < 200 ? 1 : 4)
    }

    /// The CTRs of single feature `feature` (its `per_feature_ctr` or `simple_ctr`).
    func simpleCTRs(feature: Int) -> [CTRDescription] {
        perFeatureCTR[feature] ?? simpleCTR ?? CTRDescription.defaults
    }

    var combinationCTRs: [CTRDescription] { combinationsCTR ?? CTRDescription.defaults }

    /// Parses `per_feature_ctr`: `Feature:CtrDescription` entries separated by `;` (or a Python
    /// list of them), e.g. `0:Borders:Prior=0.5;2:Counter`.
    static func perFeature(parsing value: String) throws(TrainingError) -> [Int: [CTRDescription]] {
        var text = value.trimmingWhitespace
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var result: [Int: [CTRDescription]] = [:]
        for raw in text.split(whereSeparator: { $0 == ";" || $0 == "," }) {
            var entry = String(raw).trimmingWhitespace
            if entry.count >= 2, let quote = entry.first, quote == "\"" || quote == "'", entry.last == quote {
                entry = String(entry.dropFirst().dropLast())
            }
            guard !entry.isEmpty else { continue }
            let pieces = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2, let feature = Int(pieces[0].trimmingWhitespace), feature >= 0 else {
                throw TrainingError("hyperparameter per_feature_ctr='\(value)': '\(entry)' is not FeatureIndex:CtrDescription (e.g. 0:Borders:Prior=0.5)")
            }
            result[feature, default: []].append(try CTRDescription(parsing: pieces[1], key: "per_feature_ctr"))
        }
        return result
    }
}
