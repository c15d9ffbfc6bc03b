import Model

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

    /// The best CTR split: each projection's histograms straight from the taken fold's ordered
    /// statistics (`CandidateCTRHistograms`, one projection per block, in parallel), each
    /// output's best border, and CatBoost's `model_size_reg` factor
    /// (1 + values / most values)^−reg for tables the model lacks (`SelectBestCandidate`).
    func bestCTR(
        projections: [Projection], store: CTRStore, fold: Int, permutation: [UInt32], rows: LeafGroupedRows, leafOfRow: [UInt16],
        gradientWeightOfRow: [SIMD2<Double>], leafCount: Int, usedTables: Set<UsedTable>, l2: Double,
        noise: (deviation: Double, seed: UInt64)?
    ) -> Candidate? {
        guard !projections.isEmpty else { return nil }
        let layouts = projections.map { store.layout($0) }
        let classes = layouts.map { store.classes($0) }
        // Single features' buckets are kept for the run (every level scores them), as are the
        // recurring combinations' the caller prepared; the others' histograms come straight
        // from the ordered statistics.
        let blocks = projections.map { projection in
            projection.isSingleFeature
                ? store.buckets(projection, fold: fold, permutation: permutation) : store.cachedBuckets(projection, fold: fold)
        }
        let known = projections.map { store.cachedIndex($0) }
        // Candidates narrowed by the same splits (the tree's, one per categorical feature) share
        // their outcome bits: computed once here, not once per candidate.
        var sharedOutcomes: [Projection: [UInt32]] = [:]
        for (item, projection) in projections.enumerated() where known[item] == nil && blocks[item] == nil {
            let splitsOnly = Projection(categorical: [], floatSplits: projection.floatSplits, oneHotSplits: projection.oneHotSplits)
            guard !(splitsOnly.floatSplits.isEmpty && splitsOnly.oneHotSplits.isEmpty), sharedOutcomes[splitsOnly] == nil else { continue }
            sharedOutcomes[splitsOnly] = ProjectionIndex.outcomes(splitsOnly, columns: store.columns, dataset: store.dataset)
        }
        let (columns, dataset, scoreFunction) = (store.columns, store.dataset, scoreFunction)
        let outcomesBySplits = sharedOutcomes
        // The costly candidates (a pass over the permutation) go first, so the cheap ones fill
        // the cores at the end; results come back by candidate, whatever ran where.
        let order = projections.indices.sorted { (blocks[$0] == nil ? 0 : 1, $0) < (blocks[$1] == nil ? 0 : 1, $1) }
        let ordered = ForkJoin.map(projections.count) { position -> (uniqueCount: Int, found: [(border: Int, score: Double)]) in
            let item = order[position]
            let layout = layouts[item]
            let binCount = layout.outputs.indices.map { layout.binCount($0) }.max()!
            if let block = blocks[item], let index = known[item] {
                var cells = [SIMD2<Double>](repeating: .zero, count: layout.width * leafCount * binCount)
                block.withUnsafeBufferPointer { block in
                    cells.withUnsafeMutableBufferPointer { cells in
                        CTRHistograms.accumulate(block: block.baseAddress!, width: layout.width, binCount: binCount, rows: rows, into: cells)
                    }
                }
                return (index.uniqueCount, Self.bestBorders(cells, layout: layout, binCount: binCount, leafCount: leafCount, projection: projections[item], scoreFunction: scoreFunction, l2: l2, noise: noise))
            }
            let splitsOnly = Projection(categorical: [], floatSplits: projections[item].floatSplits, oneHotSplits: projections[item].oneHotSplits)
            let index = known[item] ?? ProjectionIndex(projections[item], columns: columns, dataset: dataset, outcomes: outcomesBySplits[splitsOnly])
            let cells = index.ids.withUnsafeBufferPointer { ids in
                permutation.withUnsafeBufferPointer { permutation in
                    leafOfRow.withUnsafeBufferPointer { leafOfRow in
                        gradientWeightOfRow.withUnsafeBufferPointer { gradientWeightOfRow in
                            CandidateCTRHistograms.cells(
                                CandidateCTRHistograms.Inputs(
                                    ids: ids, uniqueCount: index.uniqueCount, classes: classes[item], permutation: permutation,
                                    leafOfRow: leafOfRow, gradientWeightOfRow: gradientWeightOfRow, leafCount: leafCount, binCount: binCount),
                                layout: layout)
                        }
                    }
                }
            }
            return (index.uniqueCount, Self.bestBorders(cells, layout: layout, binCount: binCount, leafCount: leafCount, projection: projections[item], scoreFunction: scoreFunction, l2: l2, noise: noise))
        }
        var results = ordered
        for (position, item) in order.enumerated() { results[item] = ordered[position] }
        let mostValues = Double(max(1, results.map(\.uniqueCount).max() ?? 1))
        var best: Candidate?
        for (item, projection) in projections.enumerated() {
            for (output, found) in results[item].found.enumerated() {
                var score = found.score
                let type = layouts[item].descriptions[layouts[item].outputs[output].description].type
                if !usedTables.contains(UsedTable(type: type, projection: projection)), modelSizeReg > 0 {
                    score *= (1 + Double(results[item].uniqueCount) / mostValues).power(-modelSizeReg)
                }
                if best == nil || score > best!.score {
                    best = Candidate(split: .ctr(projection: projection, output: output, borderIndex: found.border), score: score)
                }
            }
        }
        return best
    }

    /// Each output's best border and score from a projection's cells.
    static func bestBorders(
        _ cells: [SIMD2<Double>], layout: CTRLayout, binCount: Int, leafCount: Int, projection: Projection, scoreFunction: ScoreFunction,
        l2: Double, noise: (deviation: Double, seed: UInt64)?
    ) -> [(border: Int, score: Double)] {
        cells.withUnsafeBufferPointer { cells in
            layout.outputs.indices.map { output in
                let outputCells = UnsafeBufferPointer(rebasing: cells[(output * leafCount * binCount)..<((output + 1) * leafCount * binCount)])
                let draws = noise.map { noise in
                    var random = RandomGenerator(seed: noise.seed ^ projection.stableHash, stream: 1_000_000 + output)
                    return SplitScoring.gaussians(count: binCount - 1, deviation: noise.deviation, random: &random)
                }
                let best = SplitScoring.bestBorder(
                    cells: outputCells, leafCount: leafCount, binCount: binCount, scoreFunction: scoreFunction, l2: l2, noise: draws)
                return (min(best.border, layout.binCount(output) - 2), best.score)
            }
        }
    }

    /// Where a split reads the rows of fold `fold` (computing its CTR buckets if needed).
    func source(_ split: CategoricalSplit, store: CTRStore, fold: Int, permutation: [UInt32]) -> SplitSource {
        switch split {
        case .staticFeature(let feature, let borderIndex):
            return SplitSource(
                bytes: dataset.bins, offset: feature * dataset.rowCount, stride: 1, border: UInt8(truncatingIfNeeded: borderIndex),
                isEquality: isOneHot[feature])
        case .ctr(let projection, let output, let borderIndex):
            return SplitSource(
                bytes: store.buckets(projection, fold: fold, permutation: permutation), offset: output,
                stride: store.layout(projection).width, border: UInt8(truncatingIfNeeded: borderIndex), isEquality: false)
        }
    }
}
