import Model

/// Ordered target statistics (CatBoost's online CTRs, catboost/private/libs/algo/online_ctr.cpp):
/// rows are visited in a fold's permutation and each row's CTR counts only the rows before it
/// with the same projection value; Counter counts every learn row (`CountOnlineCTRTotal`, its
/// `counter_calc_method=SkipTest`), so it does not depend on the permutation.
enum OrderedCTR {
    /// The learn set as the statistics see it: projection ids per row, and per description the
    /// target class of every row.
    struct Inputs {
        let ids: UnsafeBufferPointer<UInt32>
        let uniqueCount: Int
        /// `classes[d][row]`, for each description `d` (empty for Counter).
        let classes: [[UInt8]]
        let permutation: UnsafeBufferPointer<UInt32>
    }

    /// Writes every row's buckets (row-major, `layout.width` per row) into `output`.
    static func buckets(_ inputs: Inputs, layout: CTRLayout, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == inputs.ids.count * layout.width, "output is not rows × width")
        for (index, description) in layout.descriptions.enumerated() {
            let first = layout.outputs.firstIndex { $0.description == index }!
            if description.type == .counter {
                counterBuckets(inputs, description: description, firstOutput: first, width: layout.width, into: output)
            } else if description.type == .borders, description.classCount == 2 {
                binaryBorderBuckets(inputs, classes: inputs.classes[index], description: description, firstOutput: first, width: layout.width, into: output)
            } else {
                classBuckets(inputs, classes: inputs.classes[index], description: description, firstOutput: first, width: layout.width, into: output)
            }
        }
    }

    /// Counter: every row's value count over the whole learn set, over the largest count.
    static func counterBuckets(
        _ inputs: Inputs, description: CTRDescription, firstOutput: Int, width: Int, into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        var totals = [Int32](repeating: 0, count: inputs.uniqueCount)
        for id in inputs.ids { totals[Int(id)] &+= 1 }
        let denominator = totals.max() ?? 0
        let priors = description.priors.map { ($0, CTRLayout.normalization(prior: $0)) }
        totals.withUnsafeBufferPointer { totals in
            for row in inputs.ids.indices {
                let count = Float(totals[Int(inputs.ids[row])])
                for (offset, (prior, normal)) in priors.enumerated() {
                    output[row &* width &+ firstOutput &+ offset] = CTRLayout.bucket(
                        good: count, total: denominator, prior: prior, shift: normal.shift, norm: normal.norm,
                        borderCount: description.ctrBorderCount)
                }
            }
        }
    }

    /// Borders with one target border (two classes), the default: good = earlier rows of the
    /// value in class 1, total = earlier rows of the value (`CalcOnlineCTRSimple`).
    static func binaryBorderBuckets(
        _ inputs: Inputs, classes: [UInt8], description: CTRDescription, firstOutput: Int, width: Int,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        var counts = [SIMD2<Int32>](repeating: .zero, count: inputs.uniqueCount)
        let priors = description.priors
        let normals = priors.map { CTRLayout.normalization(prior: $0) }
        let (shifts, norms) = (normals.map(\.shift), normals.map(\.norm))
        let borderCount = description.ctrBorderCount
        let priorCount = priors.count
        counts.withUnsafeMutableBufferPointer { counts in
            classes.withUnsafeBufferPointer { classes in
                priors.withUnsafeBufferPointer { priors in
                    shifts.withUnsafeBufferPointer { shifts in
                        norms.withUnsafeBufferPointer { norms in
                            let output = output.baseAddress!
                            if priorCount == 3 || priorCount == 4 {
                                var priors4 = SIMD4<Float>(repeating: 0), shifts4 = SIMD4<Float>(repeating: 0)
                                var norms4 = SIMD4<Float>(repeating: 1)
                                for prior in 0..<priorCount { (priors4[prior], shifts4[prior], norms4[prior]) = (priors[prior], shifts[prior], norms[prior]) }
                                for row32 in inputs.permutation {
                                    let row = Int(row32)
                                    let id = Int(inputs.ids[row])
                                    let seen = counts[id]
                                    let buckets = bucketsOfFour(
                                        good: Float(seen[1]), total: seen[0] &+ seen[1], priors: priors4, shifts: shifts4, norms: norms4,
                                        borderCount: borderCount)
                                    let base = output + (row &* width &+ firstOutput)
                                    for prior in 0..<priorCount { base[prior] = UInt8(truncatingIfNeeded: buckets[prior]) }
                                    counts[id][Int(classes[row])] &+= 1
                                }
                                return
                            }
                            for row32 in inputs.permutation {
                                let row = Int(row32)
                                let id = Int(inputs.ids[row])
                                let seen = counts[id]
                                let good = Float(seen[1])
                                let total = seen[0] &+ seen[1]
                                let base = output + (row &* width &+ firstOutput)
                                for prior in 0..<priorCount {
                                    base[prior] = CTRLayout.bucket(
                                        good: good, total: total, prior: priors[prior], shift: shifts[prior], norm: norms[prior],
                                        borderCount: borderCount)
                                }
                                counts[id][Int(classes[row])] &+= 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// `CTRLayout.bucket` for up to four priors at once, the same float32 operations lane by lane
    /// (two vector divisions a row instead of six scalar ones, and a conversion without the
    /// scalar one's range check, which the clamp makes unnecessary).
    @inline(__always)
    static func bucketsOfFour(
        good: Float, total: Int32, priors: SIMD4<Float>, shifts: SIMD4<Float>, norms: SIMD4<Float>, borderCount: Int
    ) -> SIMD4<Int32> {
        let ctr = (SIMD4(repeating: good) + priors) / SIMD4(repeating: Float(total &+ 1))
        let value = (ctr + shifts) / norms * SIMD4(repeating: Float(borderCount))
        return SIMD4<Int32>(value.clamped(lowerBound: SIMD4(repeating: 0), upperBound: SIMD4(repeating: Float(borderCount))), rounding: .towardZero)
    }

    /// Borders with several target borders, Buckets and BinarizedTargetMeanValue: per-class
    /// counts of the earlier rows of the value (`CalcOnlineCTRClasses`, `CalcOnlineCTRMean`).
    static func classBuckets(
        _ inputs: Inputs, classes: [UInt8], description: CTRDescription, firstOutput: Int, width: Int,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        let classCount = description.classCount
        var counts = [Int32](repeating: 0, count: inputs.uniqueCount * classCount)
        let priors = description.priors.map { ($0, CTRLayout.normalization(prior: $0)) }
        for row32 in inputs.permutation {
            let row = Int(row32)
            let start = Int(inputs.ids[row]) * classCount
            var column = firstOutput
            for border in 0..<description.targetBorderIndexCount {
                let (good, total) = statistic(description, counts: counts[start..<(start + classCount)], targetBorderIndex: border)
                for (prior, normal) in priors {
                    output[row &* width &+ column] = CTRLayout.bucket(
                        good: good, total: total, prior: prior, shift: normal.shift, norm: normal.norm,
                        borderCount: description.ctrBorderCount)
                    column += 1
                }
            }
            counts[start + Int(classes[row])] &+= 1
        }
    }

    /// (good, total) of a value's class counts, as `TModelCtr::Calc`'s arguments for each type.
    static func statistic(_ description: CTRDescription, counts: ArraySlice<Int32>, targetBorderIndex: Int) -> (Float, Int32) {
        var total: Int32 = 0
        var good: Float = 0
        for (offset, count) in counts.enumerated() {
            total &+= count
            switch description.type {
            case .borders: if offset > targetBorderIndex { good += Float(count) }
            case .buckets: if offset == targetBorderIndex { good += Float(count) }
            default: good += Float(count) * (Float(offset) / Float(description.targetBorderCount))
            }
        }
        return (good, total)
    }
}
