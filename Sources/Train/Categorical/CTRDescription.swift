public import Model

/// One CTR setting as CatBoost's `simple_ctr`, `combinations_ctr` and `per_feature_ctr` spell it
/// (catboost/private/libs/options/cat_feature_options.cpp, `ParseCtrDescription`):
/// `CtrType[:TargetBorderCount=N][:TargetBorderType=T][:CtrBorderCount=N][:CtrBorderType=Uniform][:Prior=num/denom]…`.
public struct CTRDescription: Sendable, Hashable {
    public var type: CTRType
    /// Prior numerators (the denominator is always 1, as on CatBoost's CPU).
    public var priors: [Float]
    /// Borders of the target for Borders/Buckets/BinarizedTargetMeanValue (classes = borders + 1).
    public var targetBorderCount: Int
    /// How many buckets a CTR value is cut into, less one (`CtrBorderCount`, 15 by default).
    public var ctrBorderCount: Int

    public init(type: CTRType, priors: [Float]? = nil, targetBorderCount: Int = 1, ctrBorderCount: Int = 15) {
        self.type = type
        self.priors = priors ?? Self.defaultPriors(type)
        self.targetBorderCount = targetBorderCount
        self.ctrBorderCount = ctrBorderCount
    }

    /// CatBoost's defaults for every loss Symmetree trains (`SetCtrDefaults` in
    /// catboost/private/libs/options/catboost_options.cpp): Borders with priors 0, 0.5, 1 and one
    /// MinEntropy target border, and Counter with prior 0; 15 Uniform CTR borders each.
    public static let defaults: [CTRDescription] = [CTRDescription(type: .borders), CTRDescription(type: .counter)]

    /// `GetDefaultPriors` (cat_feature_options.cpp): 0, 0.5, 1; Counter only 0.
    static func defaultPriors(_ type: CTRType) -> [Float] {
        type.usesCounterDenominator ? [0] : [0, 0.5, 1]
    }

    /// How many target classes the CTR's statistics count (1 for Counter, which counts objects).
    var classCount: Int { type == .counter ? 1 : targetBorderCount + 1 }

    /// CatBoost's `GetTargetBorderCount`: Buckets gives one CTR per class, Borders one per target
    /// border, the mean and Counter one.
    var targetBorderIndexCount: Int {
        switch type {
        case .buckets: classCount
        case .borders: targetBorderCount
        default: 1
        }
    }

    /// Parses one description; `key` names the hyperparameter in errors.
    init(parsing text: String, key: String) throws(TrainingError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
        guard let typeName = parts.first, !typeName.isEmpty else {
            throw TrainingError("hyperparameter \(key): an empty CTR description in '\(text)'")
        }
        guard let type = CTRType(catBoostName: typeName) else {
            throw TrainingError(
                "hyperparameter \(key)='\(text)': CTR type '\(typeName)' is not known; CatBoost's CPU types are Borders, Buckets, BinarizedTargetMeanValue and Counter")
        }
        guard type != .floatTargetMeanValue, type != .featureFrequency else {
            throw TrainingError("hyperparameter \(key)='\(text)': CTR type \(typeName) is GPU-only in CatBoost; use Borders, Buckets, BinarizedTargetMeanValue or Counter")
        }
        self.init(type: type)
        var priors: [Float] = []
        for option in parts.dropFirst() {
            let pair = option.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace }
            guard pair.count == 2 else {
                throw TrainingError("hyperparameter \(key)='\(text)': '\(option)' is not Name=Value")
            }
            switch pair[0] {
            case "Prior": priors.append(try Self.prior(pair[1], key: key, text: text))
            case "TargetBorderCount":
                guard let count = Int(pair[1]), (1...255).contains(count) else {
                    throw TrainingError("hyperparameter \(key)='\(text)': TargetBorderCount must be an integer in 1…255")
                }
                targetBorderCount = count
            case "CtrBorderCount":
                guard let count = Int(pair[1]), (1...255).contains(count) else {
                    throw TrainingError("hyperparameter \(key)='\(text)': CtrBorderCount must be an integer in 1…255")
                }
                ctrBorderCount = count
            case "CtrBorderType":
                guard pair[1] == "Uniform" else {
                    throw TrainingError("hyperparameter \(key)='\(text)': CtrBorderType \(pair[1]) is not supported; CatBoost's CPU trainer uses Uniform")
                }
            case "TargetBorderType":
                guard pair[1] == "MinEntropy" else {
                    throw TrainingError("hyperparameter \(key)='\(text)': TargetBorderType \(pair[1]) is not supported here; use MinEntropy (the default)")
                }
            default:
                throw TrainingError(
                    "hyperparameter \(key)='\(text)': option '\(pair[0])' is not supported; supported: Prior, TargetBorderCount, TargetBorderType, CtrBorderCount, CtrBorderType")
            }
        }
        if !priors.isEmpty { self.priors = priors }
    }

    /// `Prior=num` or `Prior=num/denom` with denom 1 (CatBoost's CPU trainer refuses others:
    /// "CPU could use only 1 as denom for ctrs currently", ctr_helper.cpp).
    private static func prior(_ value: String, key: String, text: String) throws(TrainingError) -> Float {
        let pieces = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let numerator = Double(pieces[0]), numerator.isFinite, pieces.count <= 2 else {
            throw TrainingError("hyperparameter \(key)='\(text)': Prior=\(value) is not a number or num/denom")
        }
        if pieces.count == 2 {
            guard let denominator = Double(pieces[1]), denominator == 1 else {
                throw TrainingError("hyperparameter \(key)='\(text)': Prior=\(value): the denominator must be 1 (as on CatBoost's CPU)")
            }
        }
        return Float(numerator)
    }

    /// A list of descriptions: CatBoost's command-line form `Borders:Prior=0.5,Counter` or a
    /// Python list as SageMaker passes one, `['Borders:Prior=0.5', 'Counter']`.
    static func list(parsing value: String, key: String) throws(TrainingError) -> [CTRDescription] {
        var text = value.trimmingWhitespace
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var result: [CTRDescription] = []
        for raw in text.split(separator: ",") {
            var entry = String(raw).trimmingWhitespace
            if entry.count >= 2, let quote = entry.first, quote == "\"" || quote == "'", entry.last == quote {
                entry = String(entry.dropFirst().dropLast())
            }
            if entry.isEmpty { continue }
            result.append(try CTRDescription(parsing: entry, key: key))
        }
        return result
    }
}
