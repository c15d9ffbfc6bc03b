import Model

extension Booster {
    /// Training with categorical features: float features quantized as always, categorical ones
    /// perfect-hashed; features with at most `one_hot_max_size` values become one-hot static
    /// features, the others CTRs over permutations (`CategoricalBoostingRun`). Checkpoints are
    /// not written on this path: a restarted job trains from the start.
    func trainCategorical(learn: DataTable, eval: DataTable?, startTime: Double) async throws(TrainingError) -> TrainingResult {
        let options = ResolvedParameters(
            parameters, rowCount: learn.rowCount, featureCount: learn.featureCount, hasEvalSet: eval != nil)
        if options.learningRateWasChosen { log("Learning rate set to \(formatShort(options.learningRate))") }
        var random = RandomGenerator(seed: options.randomSeed)
        let blockCount = CategoricalBoostingRun.blockCount
        let numeric = learn.numericFeatures
        let numericTable = DataTable(columns: numeric.map { learn.columns[$0] }, targets: learn.targets)
        let quantizer = try await FeatureQuantizer(
            table: numericTable, borderCount: options.borderCount, nanMode: options.nanMode, random: &random, threadCount: blockCount)
        var floatFeatures = quantizer.features
        for index in floatFeatures.indices {
            floatFeatures[index].columnIndex = numeric[index]
            if !learn.featureNames.isEmpty { floatFeatures[index].name = learn.featureNames[numeric[index]] }
        }
        let columns = learn.categoricalFeatures.map { CategoricalColumn(featureIndex: $0, storedValues: learn.columns[$0]) }
        // CatBoost's `AddOneHotFeatures`: at least two learn values and at most one_hot_max_size.
        let oneHot = columns.indices.filter { columns[$0].uniqueCount >= 2 && columns[$0].uniqueCount <= parameters.categorical.oneHotMaxSize }
        var bins = await quantizer.bins(of: numericTable, threadCount: blockCount)
        for column in oneHot { bins.append(contentsOf: columns[column].valueIDs.map { UInt8(truncatingIfNeeded: $0) }) }
        let dataset = QuantizedDataset(
            rowCount: learn.rowCount, binCounts: quantizer.features.map { $0.borders.count + 1 } + oneHot.map { columns[$0].uniqueCount },
            bins: bins)
        let oneHotColumn: [Int?] = Array(repeating: nil, count: numeric.count) + oneHot.map { Optional($0) }
        var run = CategoricalBoostingRun(
            options: options, categorical: parameters.categorical, columns: columns, dataset: dataset, oneHotColumn: oneHotColumn,
            targets: learn.targets, random: random)
        if let eval {
            run.eval = await evalSet(eval, quantizer: quantizer, numeric: numeric, columns: columns, oneHot: oneHot, run: run)
        }
        let stopReason = try await iterate(&run, startTime: startTime)
        let builder = CategoricalModelBuilder(
            floatFeatures: floatFeatures,
            categoricalFeatures: columns.map { CategoricalFeature(columnIndex: $0.featureIndex, name: learn.featureNames.isEmpty ? "" : learn.featureNames[$0.featureIndex]) },
            columns: columns, oneHotColumn: oneHotColumn, store: run.store)
        return finishCategorical(run, builder: builder, stopReason: stopReason)
    }

    private func evalSet(
        _ eval: DataTable, quantizer: FeatureQuantizer, numeric: [Int], columns: [CategoricalColumn], oneHot: [Int],
        run: CategoricalBoostingRun
    ) async -> CategoricalEvalSet {
        let numericTable = DataTable(columns: numeric.map { eval.columns[$0] }, targets: eval.targets)
        var bins = await quantizer.bins(of: numericTable, threadCount: CategoricalBoostingRun.blockCount)
        let hashes = columns.map { column in eval.columns[column.featureIndex].map { CategoryHash.hash(storedIn: $0) } }
        for column in oneHot {
            var idOfHash: [UInt32: UInt8] = [:]
            for (id, hash) in columns[column].hashes.enumerated() { idOfHash[hash] = UInt8(id) }
            bins.append(contentsOf: hashes[column].map { idOfHash[$0] ?? 255 })
        }
        return CategoricalEvalSet(
            rowCount: eval.rowCount, staticBins: bins, isOneHot: Array(repeating: false, count: numeric.count) + oneHot.map { _ in true },
            hashes: hashes, targets: eval.targets,
            weights: BoostingRun.objectWeights(targets: eval.targets, scalePosWeight: run.options.scalePosWeight), bias: run.bias)
    }

    private func finishCategorical(_ run: CategoricalBoostingRun, builder: CategoricalModelBuilder, stopReason: String?) -> TrainingResult {
        let options = run.options
        var trees = run.trees
        let bestIteration = run.eval != nil ? run.bestIteration : nil
        if let bestIteration {
            log("")
            log("bestTest = \(formatFixed(run.evalHistory[bestIteration], decimals: 10))")
            log("bestIteration = \(bestIteration)")
            log("")
            if options.useBestModel, bestIteration + 1 < trees.count {
                log("Shrink model to first \(bestIteration + 1) iterations.")
                trees.removeSubrange((bestIteration + 1)...)
            }
        }
        let ensemble = builder.ensemble(trees: trees, bias: run.bias, lossFunction: options.lossFunction.catBoostName)
        let host = hostName ?? (try? HostName.current()) ?? "algo-1"
        if let learnValue = run.learnHistory.last {
            log("#quality_metric: host=\(host), train \(Metric.loss(options.lossFunction).name.lowercased()) <score>=\(learnValue)")
        }
        if let bestIteration {
            log("#quality_metric: host=\(host), validation \(options.evalMetric.name.lowercased()) <score>=\(run.evalHistory[bestIteration])")
        }
        return TrainingResult(
            ensemble: ensemble, parameters: options.parameters, learnHistory: run.learnHistory, evalHistory: run.evalHistory,
            bestIteration: run.bestIteration, stopReason: stopReason,
            progress: TrainingProgress(trees: [], bias: run.bias, random: run.random, learnHistory: [], evalHistory: []))
    }
}
