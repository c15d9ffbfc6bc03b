import Model

/// Plain gradient boosting of symmetric trees with CatBoost 1.2.10's arithmetic (its
/// catboost/private/libs/algo/greedy_tensor_search.cpp): float32 targets, borders and learning
/// rate; float64 sums.
public struct Booster: Sendable {
    public var parameters: TrainingParameters
    public var log: @Sendable (String) -> Void
    /// Polled once per iteration; true stops training after the current tree (SIGTERM).
    public var shouldStop: @Sendable () -> Bool
    /// Called every `checkpoint_iterations` with the progress so far.
    public var checkpoint: (@Sendable (TrainingProgress) throws(TrainingError) -> Void)?
    /// The host named in `#quality_metric` lines (SageMaker's `current_host`; else the hostname).
    public var hostName: String?
    /// Alone (`SingleProcess`), or one rank of a multi-host job whose `learn` and `eval` are
    /// this rank's rows: every rank then grows the same trees from the rows of all.
    var communicator: any Communicator = SingleProcess()

    public init(
        parameters: TrainingParameters, log: @escaping @Sendable (String) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false },
        checkpoint: (@Sendable (TrainingProgress) throws(TrainingError) -> Void)? = nil
    ) {
        self.parameters = parameters
        self.log = log
        self.shouldStop = shouldStop
        self.checkpoint = checkpoint
    }

    public func train(learn: DataTable, eval: DataTable?, resumeFrom: TrainingProgress? = nil) async throws(TrainingError)
        -> TrainingResult
    {
        let startTime = MonotonicClock.seconds
        let shard = RowShard(rowCount: learn.rowCount, communicator: communicator)
        let evalRowCount = communicator.allGatherCounts(eval?.rowCount ?? 0).reduce(0, +)
        try check(learn: learn, eval: eval, shard: shard)
        if learn.hasCategoricalFeatures {
            guard !communicator.isDistributed else {
                var refused = TrainingError(
                    "categorical features train on one host only: their CTR statistics are running counts over "
                        + "permutations of all the rows, which this trainer does not spread over hosts. Set instance_count=1, "
                        + "or train without cat_features")
                refused.isAgreedByEveryRank = true  // every rank holds the same declaration
                throw refused
            }
            return try await trainCategorical(learn: learn, eval: eval, startTime: startTime)
        }
        let options = ResolvedParameters(
            parameters, rowCount: shard.totalRowCount, featureCount: learn.featureCount, hasEvalSet: evalRowCount > 0)
        if options.learningRateWasChosen { log("Learning rate set to \(formatShort(options.learningRate))") }
        var random = RandomGenerator(seed: options.randomSeed)
        let quantizer = try await FeatureQuantizer(
            table: learn, shard: shard, communicator: communicator, borderCount: options.borderCount, nanMode: options.nanMode,
            random: &random, threadCount: options.threadCount)
        let dataset = QuantizedDataset(
            rowCount: learn.rowCount, binCounts: quantizer.features.map { $0.borders.count + 1 },
            bins: await quantizer.bins(of: learn, threadCount: options.threadCount))
        var evalSet: (bins: [UInt8], targets: [Float])?
        if let eval { evalSet = (await quantizer.bins(of: eval, threadCount: options.threadCount), eval.targets) }
        // A rank whose share of the validation rows is empty still takes part in the metric's sums.
        if evalSet == nil, evalRowCount > 0 { evalSet = ([], []) }
        var run = try BoostingRun(
            options: options, dataset: dataset, learnTargets: learn.targets, eval: evalSet, random: random,
            resumeFrom: resumeFrom, shard: shard, communicator: communicator)
        if resumeFrom != nil { log("Resumed from a checkpoint at iteration \(run.trees.count)") }
        let stopReason = try await iterate(&run, startTime: startTime) { run, isLast throws(TrainingError) in
            if let checkpoint, options.checkpointIterations > 0, run.trees.count % options.checkpointIterations == 0, !isLast {
                try checkpoint(run.progress)
            }
        }
        var result = finish(run, features: quantizer.features, stopReason: stopReason)
        result.wasTerminated = stopReason?.hasPrefix(Self.terminationReasonStart) == true
        return result
    }

    /// Steps `run` until its last iteration, SIGTERM or the overfitting detector, logging
    /// progress on the way; `afterTree(run, isLast)` runs after every tree (checkpoints).
    /// Returns why it stopped early, if it did.
    func iterate<Run: BoostingIterations>(
        _ run: inout Run, startTime: Double, afterTree: (Run, _ isLast: Bool) throws(TrainingError) -> Void = { _, _ in }
    ) async throws(TrainingError) -> String? {
        let options = run.options
        let detectorWait = run.hasEvalSet && options.overfittingDetector != nil ? options.odWait : nil
        while run.treeCount < options.iterations {
            let iteration = run.treeCount
            if stopIsAgreed() { return "\(Self.terminationReasonStart) after \(iteration) iterations" }
            let learnValue = await run.step()
            let isLast = run.treeCount == options.iterations
            let waited = run.bestIteration.map { iteration - $0 } ?? 0
            let detectorFired = detectorWait.map { waited >= $0 } ?? false
            if options.metricPeriod > 0, iteration % options.metricPeriod == 0 || isLast || detectorFired {
                log(progressLine(
                    iteration: iteration, learn: learnValue, eval: run.evalHistory.last,
                    best: run.bestIteration.map { ($0, run.evalHistory[$0]) }, elapsed: MonotonicClock.seconds - startTime,
                    total: options.iterations))
            }
            try afterTree(run, isLast)
            if detectorFired, let detectorWait {
                let reason = "Stopped by overfitting detector  (\(detectorWait) iterations wait)"
                log(reason)
                return reason
            }
        }
        return nil
    }

    static let terminationReasonStart = "stopped by SIGTERM"

    /// `shouldStop` on any rank stops every rank at the same iteration (SIGTERM on any host).
    private func stopIsAgreed() -> Bool {
        guard communicator.isDistributed else { return shouldStop() }
        return communicator.allReduceSum(shouldStop() ? 1 : 0) > 0
    }

    /// The result of a finished or stopped run: the best-iteration and metric lines logged, the
    /// model shrunk to the best iteration when use_best_model asks, unused borders dropped.
    private func finish(_ run: BoostingRun, features: [FloatFeature], stopReason: String?) -> TrainingResult {
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
        // Only borders some split uses go into the model, as CatBoost stores them.
        let ensemble = Ensemble(
            features: features, trees: trees, scale: 1, bias: run.bias, lossFunction: options.lossFunction.catBoostName
        ).droppingUnusedBorders()
        // One line per data set for SageMaker metric definitions (README gives the regexes).
        let host = hostName ?? (try? HostName.current()) ?? "algo-1"
        if let learnValue = run.learnHistory.last {
            log("#quality_metric: host=\(host), train \(Metric.loss(options.lossFunction).name.lowercased()) <score>=\(learnValue)")
        }
        if let bestIteration {
            log("#quality_metric: host=\(host), validation \(options.evalMetric.name.lowercased()) <score>=\(run.evalHistory[bestIteration])")
        }
        return TrainingResult(
            ensemble: ensemble, parameters: options.parameters, learnHistory: run.learnHistory,
            evalHistory: run.evalHistory, bestIteration: run.bestIteration, stopReason: stopReason,
            progress: run.progress)
    }

    /// The checks of every rank's rows, agreed over the ranks (a bad row fails every rank with
    /// its own rank's reason); row numbers are global.
    private func check(learn: DataTable, eval: DataTable?, shard: RowShard) throws(TrainingError) {
        guard shard.totalRowCount > 0 else { throw TrainingError("the training data is empty") }
        try communicator.agreeing { () throws(TrainingError) in
            if let eval {
                guard eval.featureCount == learn.featureCount else {
                    throw TrainingError(
                        "the validation data has \(eval.featureCount) feature columns, the training data \(learn.featureCount)")
                }
            }
            try checkTargets(learn, name: "training", firstRow: shard.firstRow)
            if let eval { try checkTargets(eval, name: "validation", firstRow: nil) }
        }
        // CatBoost refuses a single class too ("Target contains only one unique value"):
        // there is nothing to separate, and boost_from_average's logit would be infinite.
        if parameters.lossFunction == .logloss {
            var classCounts = [Double(learn.targets.count(where: { $0 == 0 })), Double(learn.targets.count(where: { $0 == 1 }))]
            communicator.allReduceSum(&classCounts)
            if let only = classCounts.firstIndex(of: Double(shard.totalRowCount)) {
                throw TrainingError("Logloss needs both classes in the training targets; every row has \(only)")
            }
        }
    }

    /// `firstRow`: the global row of this rank's first (nil: validation rows, numbered per rank).
    private func checkTargets(_ table: DataTable, name: String, firstRow: Int?) throws(TrainingError) {
        let rowOffset = firstRow ?? 0
        let rank = firstRow == nil && communicator.isDistributed ? " (this rank's share)" : ""
        switch parameters.lossFunction {
        case .logloss:
            if let bad = table.targets.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw TrainingError("Logloss needs 0/1 targets; \(name) row \(rowOffset + bad + 1)\(rank) has \(table.targets[bad])")
            }
        case .poisson, .tweedie:
            if let bad = table.targets.firstIndex(where: { $0 < 0 }) {
                throw TrainingError(
                    "\(parameters.lossFunction.catBoostName) needs non-negative targets; \(name) row \(rowOffset + bad + 1)\(rank) has \(table.targets[bad])")
            }
        case .logLinQuantile:
            if let bad = table.targets.firstIndex(where: { $0 < 0 }) {
                throw TrainingError("LogLinQuantile needs non-negative targets; \(name) row \(rowOffset + bad + 1)\(rank) has \(table.targets[bad])")
            }
        default: break
        }
    }
}
