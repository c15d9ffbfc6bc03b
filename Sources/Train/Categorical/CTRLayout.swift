import Model

/// The CTR features one projection offers: for each description (CTR type and options), one
/// feature per target border index and prior, in CatBoost's order (`AddCtrsToCandList`:
/// descriptions, then target borders, then priors). A projection's training values are a
/// row-major byte block, `outputs.count` bytes per row.
struct CTRLayout: Sendable, Hashable {
    struct Output: Sendable, Hashable {
        var description: Int
        var targetBorderIndex: Int
        var priorIndex: Int
    }

    let descriptions: [CTRDescription]
    let outputs: [Output]

    init(descriptions: [CTRDescription]) {
        self.descriptions = descriptions
        var outputs: [Output] = []
        for (index, description) in descriptions.enumerated() {
            for border in 0..<description.targetBorderIndexCount {
                for prior in description.priors.indices {
                    outputs.append(Output(description: index, targetBorderIndex: border, priorIndex: prior))
                }
            }
        }
        self.outputs = outputs
    }

    var width: Int { outputs.count }

    /// Buckets per CTR feature: its border count + 1.
    func binCount(_ output: Int) -> Int { descriptions[outputs[output].description].ctrBorderCount + 1 }

    /// CatBoost's `CalcNormalization` (online_ctr.cpp): shift = −min(0, prior),
    /// norm = max(1, prior) − min(0, prior).
    static func normalization(prior: Float) -> (shift: Float, norm: Float) {
        let left = min(0, prior)
        let right = max(1, prior)
        return (-left, right - left)
    }

    /// CatBoost's `CalcCTR` (catboost/private/libs/algo/online_ctr.h), in float32 as there,
    /// truncated to a bucket: ((good + prior) / (total + 1) + shift) / norm · borderCount.
    @inline(__always)
    static func bucket(good: Float, total: Int32, prior: Float, shift: Float, norm: Float, borderCount: Int) -> UInt8 {
        let ctr = (good + prior) / Float(total &+ 1)
        let value = (ctr + shift) / norm * Float(borderCount)
        return UInt8(min(max(value, 0), Float(borderCount)))
    }

    /// The model border that splits bucket `index` from the next (CatBoost's
    /// `EmulateUi8Rounding`, catboost/private/libs/algo/split.h): index + 0.999999f.
    static func modelBorder(bucketIndex index: Int) -> Float { Float(index) + 0.999999 }
}
