import Model

/// A projection's statistics over the whole learn set (CatBoost's final CTRs, `CalcFinalCtrs`
/// in online_ctr.cpp): per value id, the count of each target class for each description, and
/// the largest value count (Counter's denominator). The model's tables and the validation
/// rows' CTRs both come from these.
struct FinalCTRStatistics {
    let layout: CTRLayout
    /// Per description, `uniqueCount × classCount` counts.
    let counts: [[Int32]]
    let valueCounts: [Int32]
    let counterDenominator: Int32

    init(index: ProjectionIndex, layout: CTRLayout, store: CTRStore) {
        self.layout = layout
        var valueCounts = [Int32](repeating: 0, count: index.uniqueCount)
        for id in index.ids { valueCounts[Int(id)] += 1 }
        self.valueCounts = valueCounts
        counterDenominator = valueCounts.max() ?? 0
        counts = layout.descriptions.map { description in
            guard description.type != .counter else { return [] }
            let classes = store.classesByBorderCount[description.targetBorderCount] ?? []
            var counts = [Int32](repeating: 0, count: index.uniqueCount * description.classCount)
            for (row, id) in index.ids.enumerated() { counts[Int(id) * description.classCount + Int(classes[row])] += 1 }
            return counts
        }
    }

    /// The bucket of output `output` for a row of value `id` (nil: a value the learn set lacks).
    func bucket(id: Int?, output: Int) -> UInt8 {
        let spec = layout.outputs[output]
        let description = layout.descriptions[spec.description]
        let prior = description.priors[spec.priorIndex]
        let (shift, norm) = CTRLayout.normalization(prior: prior)
        let good: Float
        let total: Int32
        if description.type == .counter {
            (good, total) = (Float(id.map { valueCounts[$0] } ?? 0), counterDenominator)
        } else if let id {
            let start = id * description.classCount
            (good, total) = OrderedCTR.statistic(
                description, counts: counts[spec.description][start..<(start + description.classCount)],
                targetBorderIndex: spec.targetBorderIndex)
        } else {
            (good, total) = (0, 0)
        }
        return CTRLayout.bucket(good: good, total: total, prior: prior, shift: shift, norm: norm, borderCount: description.ctrBorderCount)
    }
}
