import Model

/// The histograms of a candidate projection's CTR features in one pass over the permutation,
/// without storing its buckets: of the ~20 projections a tree's levels score, about one is
/// chosen, so the others' buckets were written and read back for nothing. Rows go in blocks of
/// `OrderedCTR.blockRowCount`: counts are read and bumped in permutation order, the block's
/// buckets computed four rows per vector, then its rows added into their (leaf, bucket) cells.
/// Cells sum rows in permutation order, which depends on the fold only, never on threads.
enum CandidateCTRHistograms {
    struct Inputs {
        let ids: UnsafeBufferPointer<UInt32>
        let uniqueCount: Int
        let classes: [[UInt8]]
        let permutation: UnsafeBufferPointer<UInt32>
        let leafOfRow: UnsafeBufferPointer<UInt16>
        /// (der1·w, w) of sampled rows, zero for the others.
        let gradientWeightOfRow: UnsafeBufferPointer<SIMD2<Double>>
        let leafCount: Int
        let binCount: Int
    }

    /// Cells laid out as `CTRHistograms` lays them: outputs, leaves, buckets.
    static func cells(_ inputs: Inputs, layout: CTRLayout) -> [SIMD2<Double>] {
        let outputStride = inputs.leafCount * inputs.binCount
        var cells = [SIMD2<Double>](repeating: .zero, count: layout.width * outputStride)
        cells.withUnsafeMutableBufferPointer { cells in
            if layout.descriptions.count == 2, layout.descriptions[0].type == .borders, layout.descriptions[0].classCount == 2,
                layout.descriptions[1].type == .counter
            {
                // CatBoost's default pair: one pass adds both descriptions' cells.
                binaryBorders(
                    inputs, classes: inputs.classes[0], description: layout.descriptions[0], counter: layout.descriptions[1],
                    into: cells.baseAddress!)
                return
            }
            for (index, description) in layout.descriptions.enumerated() {
                let first = layout.outputs.firstIndex { $0.description == index }!
                let target = cells.baseAddress! + first * outputStride
                if description.type == .counter {
                    counter(inputs, description: description, into: target)
                } else if description.type == .borders, description.classCount == 2 {
                    binaryBorders(inputs, classes: inputs.classes[index], description: description, counter: nil, into: target)
                } else {
                    general(inputs, layout: layout, description: index, into: target)
                }
            }
        }
        return cells
    }

    /// Counter's buckets depend on the value only: a table per prior, rows in row order.
    static func counter(_ inputs: Inputs, description: CTRDescription, into cells: UnsafeMutablePointer<SIMD2<Double>>) {
        var totals = [Int32](repeating: 0, count: inputs.uniqueCount)
        for id in inputs.ids { totals[Int(id)] &+= 1 }
        let denominator = totals.max() ?? 0
        let outputStride = inputs.leafCount * inputs.binCount
        for (offset, prior) in description.priors.enumerated() {
            let (shift, norm) = CTRLayout.normalization(prior: prior)
            let bucketOfValue = totals.map {
                Int(CTRLayout.bucket(good: Float($0), total: denominator, prior: prior, shift: shift, norm: norm, borderCount: description.ctrBorderCount))
            }
            let target = cells + offset * outputStride
            bucketOfValue.withUnsafeBufferPointer { bucketOfValue in
                for row in inputs.ids.indices {
                    let cell = Int(inputs.leafOfRow[row]) &* inputs.binCount &+ bucketOfValue[Int(inputs.ids[row])]
                    target[cell] += inputs.gradientWeightOfRow[row]
                }
            }
        }
    }

    /// Counter's bucket of every value for each of its priors (value-major), from the counts
    /// over every learn row.
    static func counterBuckets(_ inputs: Inputs, description: CTRDescription) -> [UInt8] {
        var totals = [Int32](repeating: 0, count: inputs.uniqueCount)
        totals.withUnsafeMutableBufferPointer { totals in
            for id in inputs.ids { totals[Int(id)] &+= 1 }
        }
        let denominator = totals.max() ?? 0
        let normals = description.priors.map { CTRLayout.normalization(prior: $0) }
        return totals.flatMap { total in
            zip(description.priors, normals).map { prior, normal in
                CTRLayout.bucket(
                    good: Float(total), total: denominator, prior: prior, shift: normal.shift, norm: normal.norm,
                    borderCount: description.ctrBorderCount)
            }
        }
    }

    /// Borders with two classes, in blocks: counts, then buckets, then cells; with `counter`,
    /// Counter's cells too (they follow Borders' outputs), its buckets looked up per value.
    static func binaryBorders(
        _ inputs: Inputs, classes: [UInt8], description: CTRDescription, counter: CTRDescription?,
        into cells: UnsafeMutablePointer<SIMD2<Double>>
    ) {
        let valueBuckets: [UInt8] = counter.map { Self.counterBuckets(inputs, description: $0) } ?? []
        let counterPriorCount = counter?.priors.count ?? 0
        let priorCount = description.priors.count
        let outputStride = inputs.leafCount * inputs.binCount
        valueBuckets.withUnsafeBufferPointer { valueBuckets in
            OrderedCTR.walkBinaryBorders(
                ids: inputs.ids, uniqueCount: inputs.uniqueCount, classes: classes, permutation: inputs.permutation,
                description: description
            ) { rows, buckets in
                for (offset, row32) in rows.enumerated() {
                    let row = Int(row32)
                    let pair = inputs.gradientWeightOfRow[row]
                    let leafBase = Int(inputs.leafOfRow[row]) &* inputs.binCount
                    for prior in 0..<priorCount {
                        cells[prior &* outputStride &+ leafBase &+ Int(buckets[offset &* priorCount &+ prior])] += pair
                    }
                    let valueBase = Int(inputs.ids[row]) &* counterPriorCount
                    for prior in 0..<counterPriorCount {
                        cells[(priorCount &+ prior) &* outputStride &+ leafBase &+ Int(valueBuckets[valueBase &+ prior])] += pair
                    }
                }
            }
        }
    }

    /// Other types: the description's buckets for every row, then the cells.
    static func general(_ inputs: Inputs, layout: CTRLayout, description index: Int, into cells: UnsafeMutablePointer<SIMD2<Double>>) {
        let single = CTRLayout(descriptions: [layout.descriptions[index]])
        var block = [UInt8](repeating: 0, count: inputs.ids.count * single.width)
        block.withUnsafeMutableBufferPointer { block in
            OrderedCTR.buckets(
                OrderedCTR.Inputs(ids: inputs.ids, uniqueCount: inputs.uniqueCount, classes: [inputs.classes[index]], permutation: inputs.permutation),
                layout: single, into: block)
            let outputStride = inputs.leafCount * inputs.binCount
            for row in inputs.ids.indices {
                let leafBase = Int(inputs.leafOfRow[row]) &* inputs.binCount
                for output in 0..<single.width {
                    cells[output &* outputStride &+ leafBase &+ Int(block[row &* single.width &+ output])] += inputs.gradientWeightOfRow[row]
                }
            }
        }
    }
}
