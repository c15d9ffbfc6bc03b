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

    /// Counter: every row's value count over the whole learn set, over the largest count. A
    /// bucket depends only on the value, so it is computed once per value and copied to rows.
    static func counterBuckets(
        _ inputs: Inputs, description: CTRDescription, firstOutput: Int, width: Int, into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        var totals = [Int32](repeating: 0, count: inputs.uniqueCount)
        totals.withUnsafeMutableBufferPointer { totals in
            for id in inputs.ids { totals[Int(id)] &+= 1 }
        }
        let denominator = totals.max() ?? 0
        for (offset, prior) in description.priors.enumerated() {
            let (shift, norm) = CTRLayout.normalization(prior: prior)
            let bucketOfValue = totals.map {
                CTRLayout.bucket(good: Float($0), total: denominator, prior: prior, shift: shift, norm: norm, borderCount: description.ctrBorderCount)
            }
            bucketOfValue.withUnsafeBufferPointer { bucketOfValue in
                let base = output.baseAddress! + firstOutput + offset
                for row in inputs.ids.indices { base[row &* width] = bucketOfValue[Int(inputs.ids[row])] }
            }
        }
    }

    /// Rows per block of the two-stage pass (CatBoost's `TBlockedCalcer` in online_ctr.cpp uses
    /// 1,000): the first stage walks the block's rows in permutation order reading and bumping
    /// the counts (a chain through memory), the second turns the block's (good, total) pairs
    /// into buckets, whose divisions then overlap instead of waiting on each other (one stage
    /// per row was latency-bound on the divisions).
    static let blockRowCount = 1024

    /// Borders with one target border (two classes), the default: good = earlier rows of the
    /// value in class 1, total = earlier rows of the value (`CalcOnlineCTRSimple`).
    static func binaryBorderBuckets(
        _ inputs: Inputs, classes: [UInt8], description: CTRDescription, firstOutput: Int, width: Int,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        let priorCount = description.priors.count
        walkBinaryBorders(
            ids: inputs.ids, uniqueCount: inputs.uniqueCount, classes: classes, permutation: inputs.permutation,
            description: description
        ) { rows, buckets in
            for (offset, row) in rows.enumerated() {
                let target = output.baseAddress! + (Int(row) &* width &+ firstOutput)
                for prior in 0..<priorCount { target[prior] = buckets[offset &* priorCount &+ prior] }
            }
        }
    }

    /// The two-stage pass of binary Borders over the permutation, a block at a time: counts read
    /// and bumped in permutation order, then the block's buckets (`priorCount` per row, row by
    /// row in block order) handed to `body` with the block's rows.
    static func walkBinaryBorders(
        ids: UnsafeBufferPointer<UInt32>, uniqueCount: Int, classes: [UInt8], permutation: UnsafeBufferPointer<UInt32>,
        description: CTRDescription, body: (_ rows: UnsafeBufferPointer<UInt32>, _ buckets: UnsafePointer<UInt8>) -> Void
    ) {
        let priorCount = description.priors.count
        var counts = [SIMD2<Int32>](repeating: .zero, count: uniqueCount)
        var good = [Float](repeating: 0, count: blockRowCount)
        var totalPlusOne = [Float](repeating: 0, count: blockRowCount)
        var buckets = [UInt8](repeating: 0, count: blockRowCount * priorCount)
        counts.withUnsafeMutableBufferPointer { counts in
            classes.withUnsafeBufferPointer { classes in
                good.withUnsafeMutableBufferPointer { good in
                    totalPlusOne.withUnsafeMutableBufferPointer { totalPlusOne in
                        buckets.withUnsafeMutableBufferPointer { buckets in
                            var start = 0
                            while start < permutation.count {
                                let rows = UnsafeBufferPointer(rebasing: permutation[start..<min(start + blockRowCount, permutation.count)])
                                for (offset, row32) in rows.enumerated() {
                                    let row = Int(row32)
                                    let id = Int(ids[row])
                                    let seen = counts[id]
                                    good[offset] = Float(seen[1])
                                    totalPlusOne[offset] = Float(seen[0] &+ seen[1] &+ 1)
                                    // The whole pair is stored, never one lane: the next row of
                                    // the same value loads the pair, and a load wider than the
                                    // store before it cannot be forwarded from it (it waits for
                                    // the store to retire: ~16% of the walk on diamonds' CTRs).
                                    let isGood = Int32(classes[row])
                                    counts[id] = seen &+ SIMD2(1 &- isGood, isGood)
                                }
                                writeBuckets(
                                    count: rows.count, good: good, totalPlusOne: totalPlusOne, description: description,
                                    into: buckets.baseAddress!)
                                body(rows, buckets.baseAddress!)
                                start += rows.count
                            }
                        }
                    }
                }
            }
        }
    }

    /// The second stage: every prior's buckets of a block's rows, `CTRLayout.bucket`'s float32
    /// operations four rows per vector, one reciprocal per row for all priors. Row `i`'s bucket
    /// for prior `p` goes to `output[i · priorCount + p]`. Lanes are converted four at a time
    /// (`truncatedLanes`).
    static func writeBuckets(
        count: Int, good: UnsafeMutableBufferPointer<Float>, totalPlusOne: UnsafeMutableBufferPointer<Float>,
        description: CTRDescription, into output: UnsafeMutablePointer<UInt8>
    ) {
        let top = Float(description.ctrBorderCount)
        let normals = description.priors.map { CTRLayout.normalization(prior: $0) }
        let (priors, shifts, scales) = (description.priors, normals.map(\.shift), normals.map { top / $0.norm })
        let width = priors.count
        @inline(__always) func slot(_ offset: Int) -> Int { offset &* width }
        var offset = 0
        while offset &+ 4 <= count {
            let goods = UnsafeRawPointer(good.baseAddress! + offset).loadUnaligned(as: SIMD4<Float>.self)
            let reciprocals = 1 / UnsafeRawPointer(totalPlusOne.baseAddress! + offset).loadUnaligned(as: SIMD4<Float>.self)
            let slots = SIMD4(slot(offset), slot(offset &+ 1), slot(offset &+ 2), slot(offset &+ 3))
            for prior in priors.indices {
                // No clamp: with shift = −min(0, prior) the value lies in [0, top] but for a
                // rounding step, which truncation absorbs (a masked clamp cost a mispredicted
                // branch per lane).
                let buckets = truncatedLanes(((goods + priors[prior]) * reciprocals + shifts[prior]) * scales[prior])
                for lane in 0..<4 { output[slots[lane] &+ prior] = UInt8(truncatingIfNeeded: buckets[lane]) }
            }
            offset &+= 4
        }
        while offset < count {
            let reciprocal = 1 / totalPlusOne[offset]
            for prior in priors.indices {
                output[slot(offset) &+ prior] = CTRLayout.bucket(
                    good: good[offset], reciprocal: reciprocal, prior: priors[prior], shift: shifts[prior], scale: scales[prior], top: top)
            }
            offset &+= 1
        }
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
