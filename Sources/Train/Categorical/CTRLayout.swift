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

    /// CatBoost's `CalcCTR` (catboost/private/libs/algo/online_ctr.h) truncated to a bucket:
    /// ((good + prior) / (total + 1) + shift) / norm · borderCount, in float32, with the division
    /// by total + 1 taken as a multiplication by its reciprocal (one division serves every prior;
    /// divisions were most of the ordered-statistics time) and norm folded into the scale as the
    /// model's `TModelCtr::Calc` has it. The last bit can differ from CatBoost's, which moves a
    /// value across a bucket border only when it lies within a rounding step of one.
    @inline(__always)
    static func bucket(good: Float, total: Int32, prior: Float, shift: Float, norm: Float, borderCount: Int) -> UInt8 {
        bucket(good: good, reciprocal: 1 / Float(total &+ 1), prior: prior, shift: shift, scale: Float(borderCount) / norm, top: Float(borderCount))
    }

    @inline(__always)
    static func bucket(good: Float, reciprocal: Float, prior: Float, shift: Float, scale: Float, top: Float) -> UInt8 {
        let value = ((good + prior) * reciprocal + shift) * scale
        return UInt8(min(max(value, 0), top))
    }

    /// The model border that splits bucket `index` from the next (CatBoost's
    /// `EmulateUi8Rounding`, catboost/private/libs/algo/split.h): index + 0.999999f.
    static func modelBorder(bucketIndex index: Int) -> Float { Float(index) + 0.999999 }
}
