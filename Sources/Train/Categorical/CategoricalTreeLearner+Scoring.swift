import Model

/// A CTR table the model already has: CatBoost's `UsedCtrSplits`, (CTR type, projection).
struct UsedTable: Sendable, Hashable {
    var type: CTRType
    var projection: Projection
}

extension CategoricalTreeLearner {
    /// The best split among the static features: histograms from the level's rows, then each
    /// feature's best border (or one-hot value), noise from the feature's own stream.
    func bestStatic(
        rows: LeafGroupedRows, features: [Int], l2: Double, noise: (deviation: Double, seed: UInt64)?
    ) async -> Candidate? {
        guard !features.isEmpty, dataset.featureCount > 0 else { return nil }
        let histograms = await LevelHistograms.build(dataset: dataset, rows: rows, threadCount: blockCount)
        var best: Candidate?
        histograms.cells.withUnsafeBufferPointer { cells in
            for feature in features where dataset.binCounts[feature] > 1 {
                let binCount = dataset.binCounts[feature]
                let featureCells = UnsafeBufferPointer(rebasing: cells[histograms.offsets[feature]..<histograms.offsets[feature + 1]])
                let draws = noise.map { noise in
                    var random = RandomGenerator(seed: noise.seed, stream: feature)
                    return SplitScoring.gaussians(count: binCount, deviation: noise.deviation, random: &random)
                }
                let found =
                    isOneHot[feature]
                    ? SplitScoring.bestValue(
                        cells: featureCells, leafCount: histograms.leafCount, valueCount: binCount, scoreFunction: scoreFunction,
                        l2: l2, noise: draws)
                    : SplitScoring.bestBorder(
                        cells: featureCells, leafCount: histograms.leafCount, binCount: binCount, scoreFunction: scoreFunction,
                        l2: l2, noise: draws.map { Array($0.dropLast()) })
                if best == nil || found.score > best!.score {
                    best = Candidate(split: .staticFeature(feature: feature, borderIndex: found.border), score: found.score)
                }
            }
        }
        return best
    }

    /// The best CTR split: each projection's buckets in the taken fold, their histograms (one
    /// projection per block, in parallel), each output's best border, and CatBoost's
    /// `model_size_reg` factor (1 + values / most values)^−reg for tables the model lacks.
    func bestCTR(
        rows: LeafGroupedRows, projections: [Projection], store: CTRStore, fold: Int, permutation: [UInt32],
        usedTables: Set<UsedTable>, l2: Double, noise: (deviation: Double, seed: UInt64)?
    ) -> Candidate? {
        guard !projections.isEmpty else { return nil }
        store.prepare(projections, fold: fold, permutation: permutation)
        let blocks = projections.map { store.buckets($0, fold: fold, permutation: permutation) }
        let layouts = projections.map { store.layout($0) }
        let uniqueCounts = projections.map { store.index($0).uniqueCount }
        let mostValues = Double(max(1, uniqueCounts.max() ?? 1))
        let leafCount = rows.leafCount
        let scoreFunction = scoreFunction
        let results = ForkJoin.map(projections.count) { index -> [(output: Int, border: Int, score: Double)] in
            let layout = layouts[index]
            let binCount = layout.outputs.indices.map { layout.binCount($0) }.max()!
            var cells = [SIMD2<Double>](repeating: .zero, count: layout.width * leafCount * binCount)
            blocks[index].withUnsafeBufferPointer { block in
                cells.withUnsafeMutableBufferPointer { cells in
                    CTRHistograms.accumulate(block: block.baseAddress!, width: layout.width, binCount: binCount, rows: rows, into: cells)
                }
            }
            return cells.withUnsafeBufferPointer { cells in
                layout.outputs.indices.map { output in
                    let outputCells = UnsafeBufferPointer(rebasing: cells[(output * leafCount * binCount)..<((output + 1) * leafCount * binCount)])
                    let ownBins = layout.binCount(output)
                    let draws = noise.map { noise in
                        var random = RandomGenerator(seed: noise.seed ^ projections[index].stableHash, stream: 1_000_000 + output)
                        return SplitScoring.gaussians(count: binCount - 1, deviation: noise.deviation, random: &random)
                    }
                    var found = SplitScoring.bestBorder(
                        cells: outputCells, leafCount: leafCount, binCount: binCount, scoreFunction: scoreFunction, l2: l2, noise: draws)
                    found.border = min(found.border, ownBins - 2)
                    return (output, found.border, found.score)
                }
            }
        }
        var best: Candidate?
        for (index, projection) in projections.enumerated() {
            for (output, border, rawScore) in results[index] {
                var score = rawScore
                let type = layouts[index].descriptions[layouts[index].outputs[output].description].type
                if !usedTables.contains(UsedTable(type: type, projection: projection)), modelSizeReg > 0 {
                    score *= (1 + Double(uniqueCounts[index]) / mostValues).power(-modelSizeReg)
                }
                if best == nil || score > best!.score {
                    best = Candidate(split: .ctr(projection: projection, output: output, borderIndex: border), score: score)
                }
            }
        }
        return best
    }

    /// 1 for every row the split sends to its true side, else 0.
    func sideColumn(_ split: CategoricalSplit, store: CTRStore, fold: Int, permutation: [UInt32]) -> [UInt8] {
        let rowCount = dataset.rowCount
        switch split {
        case .staticFeature(let feature, let borderIndex):
            let column = dataset.bins[(feature * rowCount)..<((feature + 1) * rowCount)]
            let border = UInt8(truncatingIfNeeded: borderIndex)
            return isOneHot[feature] ? column.map { $0 == border ? 1 : 0 } : column.map { $0 > border ? 1 : 0 }
        case .ctr(let projection, let output, let borderIndex):
            let block = store.buckets(projection, fold: fold, permutation: permutation)
            let width = store.layout(projection).width
            let border = UInt8(truncatingIfNeeded: borderIndex)
            return (0..<rowCount).map { block[$0 * width + output] > border ? 1 : 0 }
        }
    }
}
