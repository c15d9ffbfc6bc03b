public import Model

/// What a finished (or stopped) training run produced.
public struct TrainingResult: Sendable {
    public var ensemble: Ensemble
    public var parameters: TrainingParameters
    /// The learn metric after each iteration (the loss on all learn objects).
    public var learnHistory: [Double]
    /// The eval metric after each iteration; empty without an eval set.
    public var evalHistory: [Double]
    public var bestIteration: Int?
    /// Why training ended before `iterations`, if it did.
    public var stopReason: String?
    /// The loop's state when it ended (before any use_best_model shrinking), for a checkpoint.
    public var progress: TrainingProgress
}

/// The state a run can be resumed from: everything the loop carries between iterations that
/// cannot be recomputed from the data and the trees.
public struct TrainingProgress: Sendable {
    public var trees: [ObliviousTree]
    public var bias: Double
    public var random: RandomGenerator
    public var learnHistory: [Double]
    public var evalHistory: [Double]
}

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
        guard learn.rowCount > 0 else { throw TrainingError("the training data is empty") }
        if let eval {
            guard eval.featureCount == learn.featureCount else {
                throw TrainingError(
                    "the validation data has \(eval.featureCount) feature columns, the training data \(learn.featureCount)")
            }
        }
        try checkTargets(learn, name: "training")
        if let eval { try checkTargets(eval, name: "validation") }
        let options = parameters.resolved(
            rowCount: learn.rowCount, featureCount: learn.featureCount, hasEvalSet: eval != nil)
        let loss = options.lossFunction
        let metric = options.evalMetric!
        if parameters.learningRate == nil, loss.hasAutoLearningRate, options.learningRate != 0.03 {
            log("Learning rate set to \(formatShort(options.learningRate!))")
        }
        let learningRate = Double(Float(options.learningRate!))

        var random = RandomGenerator(seed: options.randomSeed)
        let quantizer = try await FeatureQuantizer(
            table: learn, borderCount: options.borderCount, nanMode: options.nanMode, random: &random,
            threadCount: options.threadCount)
        let dataset = QuantizedDataset(
            rowCount: learn.rowCount, binCounts: quantizer.features.map { $0.borders.count + 1 },
            bins: await quantizer.bins(of: learn, threadCount: options.threadCount))
        var evalBins: [UInt8] = []
        if let eval { evalBins = await quantizer.bins(of: eval, threadCount: options.threadCount) }
        let evalRowCount = eval?.rowCount ?? 0

        let targets = learn.targets.map(Double.init)
        let weights = [Double](repeating: 1, count: learn.rowCount)
        let evalWeights = [Double](repeating: 1, count: evalRowCount)
        let rowCount = learn.rowCount
        let weightSum = weights.reduce(0, +)
        let l2 = max(options.l2LeafReg, 1e-20) * weightSum / Double(rowCount)

        var trees: [ObliviousTree] = []
        var bias = options.boostFromAverage! ? loss.bestConstant(targets: learn.targets, weights: weights) : 0
        var learnHistory: [Double] = []
        var evalHistory: [Double] = []
        if let resumeFrom {
            guard resumeFrom.trees.count <= options.iterations,
                resumeFrom.trees.allSatisfy({ tree in
                    tree.splits.allSatisfy { $0.featureIndex < dataset.featureCount && $0.borderIndex < dataset.binCounts[$0.featureIndex] - 1 }
                })
            else { throw TrainingError("the checkpoint does not match this data and these hyperparameters") }
            trees = resumeFrom.trees
            bias = resumeFrom.bias
            random = resumeFrom.random
            learnHistory = resumeFrom.learnHistory
            evalHistory = resumeFrom.evalHistory
            log("Resumed from a checkpoint at iteration \(trees.count)")
        }
        // Replaying the trees in order reproduces the uninterrupted run's sums bit for bit.
        var approx = [Double](repeating: bias, count: rowCount)
        var evalApprox = [Double](repeating: bias, count: evalRowCount)
        for tree in trees {
            apply(tree, bins: dataset.bins, rowCount: rowCount, to: &approx)
            apply(tree, bins: evalBins, rowCount: evalRowCount, to: &evalApprox)
        }

        let learner = TreeLearner(
            dataset: dataset, depth: options.depth, scoreFunction: options.scoreFunction, rsm: options.rsm,
            threadCount: options.threadCount, subtractionRowCountMin: TreeLearner.subtractionRowCountMinDefault)
        let leafMethod = options.leafEstimationMethod!
        let leafIterations = options.leafEstimationIterations!
        let passes = LearnPasses(targets: targets, weights: weights, threadCount: options.threadCount)
        var gradients = [Double](repeating: 0, count: rowCount)
        var secondDerivatives = [Double](repeating: 0, count: rowCount)
        var nextDerivativeSums: LearnPasses.DerivativeSums?
        var stopReason: String?
        let detectorWait = eval != nil ? (options.overfittingDetector != nil ? options.odWait : nil) : nil
        var bestIteration = bestIndex(evalHistory, metric: metric)

        while trees.count < options.iterations {
            let iteration = trees.count
            if shouldStop() {
                stopReason = "stopped by SIGTERM after \(iteration) iterations"
                break
            }
            // The previous iteration's approx update wrote this iteration's derivatives.
            let sums = nextDerivativeSums ?? passes.derivatives(
                loss: loss, approx: approx, gradients: &gradients, secondDerivatives: &secondDerivatives)
            let mvsRegularizer = options.mvsReg ?? {
                if let last = trees.last {
                    let mean = last.leafValues.reduce(0) { $0 + abs($1) } / Double(last.leafCount)
                    return mean * mean
                }
                let mean = sums.absoluteSum / Double(rowCount)
                return mean * mean
            }()
            let (sampled, sampleWeightSum) = passes.sample(
                type: options.bootstrapType, subsample: options.subsample!,
                baggingTemperature: options.baggingTemperature, mvsRegularizer: mvsRegularizer,
                seed: options.bootstrapType == .no ? 0 : random.next(), gradients: gradients)
            var noiseDeviation = 0.0
            if options.randomStrength > 0 {
                let squareSum = sums.squareSum
                let modelSize = (Double(rowCount).logarithm - Double(iteration) * learningRate).exponential
                noiseDeviation = options.randomStrength * (squareSum / Double(rowCount)).squareRoot() * modelSize / (1 + modelSize)
            }
            let grown = learner.grow(
                sampled: sampled,
                l2: max(options.l2LeafReg, 1e-20) * sampleWeightSum / Double(rowCount),
                noiseDeviation: noiseDeviation, random: &random)
            let leafCount = 1 << grown.splits.count
            let (deltas, leafWeights) = leafDeltas(
                leafOfRow: grown.leafOfRow, leafCount: leafCount, method: leafMethod, iterations: leafIterations,
                loss: loss, passes: passes, approx: approx, gradients: gradients,
                secondDerivatives: secondDerivatives, l2: l2)
            let tree = ObliviousTree(
                splits: grown.splits.map { TreeSplit(featureIndex: $0.feature, borderIndex: $0.borderIndex) },
                leafValues: deltas.map { learningRate * $0 }, leafWeights: leafWeights)
            let (learnValue, derivativeSums) = passes.addLeafValues(
                tree.leafValues, leafOfRow: grown.leafOfRow, loss: loss, approx: &approx, gradients: &gradients,
                secondDerivatives: &secondDerivatives)
            nextDerivativeSums = derivativeSums
            apply(tree, bins: evalBins, rowCount: evalRowCount, to: &evalApprox)
            trees.append(tree)

            learnHistory.append(learnValue)
            if let eval {
                let value = metric.evaluate(targets: eval.targets, approx: evalApprox, weights: evalWeights)
                evalHistory.append(value)
                if bestIteration.map({ metric.isImprovement(value, over: evalHistory[$0]) }) ?? true {
                    bestIteration = evalHistory.count - 1
                }
            }
            let isLast = trees.count == options.iterations
            let waited = bestIteration.map { iteration - $0 } ?? 0
            let detectorFired = detectorWait.map { waited >= $0 } ?? false
            if options.metricPeriod > 0, iteration % options.metricPeriod == 0 || isLast || detectorFired {
                log(progressLine(
                    iteration: iteration, learn: learnHistory.last!, eval: evalHistory.last,
                    best: bestIteration.map { ($0, evalHistory[$0]) }, elapsed: MonotonicClock.seconds - startTime,
                    total: options.iterations))
            }
            if let checkpoint, options.checkpointIterations > 0, trees.count % options.checkpointIterations == 0, !isLast {
                try checkpoint(
                    TrainingProgress(
                        trees: trees, bias: bias, random: random, learnHistory: learnHistory, evalHistory: evalHistory))
            }
            if detectorFired {
                stopReason = "Stopped by overfitting detector  (\(detectorWait!) iterations wait)"
                log(stopReason!)
                break
            }
        }

        let finalProgress = TrainingProgress(
            trees: trees, bias: bias, random: random, learnHistory: learnHistory, evalHistory: evalHistory)
        if let bestIteration, eval != nil {
            log("")
            log("bestTest = \(formatFixed(evalHistory[bestIteration], decimals: 10))")
            log("bestIteration = \(bestIteration)")
            log("")
            if options.useBestModel!, bestIteration + 1 < trees.count {
                log("Shrink model to first \(bestIteration + 1) iterations.")
                trees.removeSubrange((bestIteration + 1)...)
            }
        }
        // Only borders some split uses go into the model, as CatBoost stores them.
        let ensemble = Self.compact(
            Ensemble(
                features: quantizer.features, trees: trees, scale: 1, bias: bias, lossFunction: loss.catBoostName))
        // One line per data set for SageMaker metric definitions (README gives the regexes).
        let host = hostName ?? (try? HostName.current()) ?? "algo-1"
        if let learnValue = learnHistory.last {
            log("#quality_metric: host=\(host), train \(Metric.loss(loss).name.lowercased()) <score>=\(learnValue)")
        }
        if let bestIteration, eval != nil {
            log("#quality_metric: host=\(host), validation \(metric.name.lowercased()) <score>=\(evalHistory[bestIteration])")
        }
        return TrainingResult(
            ensemble: ensemble, parameters: options, learnHistory: learnHistory, evalHistory: evalHistory,
            bestIteration: bestIteration, stopReason: stopReason, progress: finalProgress)
    }

    private func checkTargets(_ table: DataTable, name: String) throws(TrainingError) {
        switch parameters.lossFunction {
        case .logloss:
            if let bad = table.targets.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw TrainingError("Logloss needs 0/1 targets; \(name) row \(bad + 1) has \(table.targets[bad])")
            }
        case .poisson, .tweedie:
            if let bad = table.targets.firstIndex(where: { $0 < 0 }) {
                throw TrainingError(
                    "\(parameters.lossFunction.catBoostName) needs non-negative targets; \(name) row \(bad + 1) has \(table.targets[bad])")
            }
        case .logLinQuantile:
            if let bad = table.targets.firstIndex(where: { $0 < 0 }) {
                throw TrainingError("LogLinQuantile needs non-negative targets; \(name) row \(bad + 1) has \(table.targets[bad])")
            }
        default: break
        }
    }

    private func bestIndex(_ history: [Double], metric: Metric) -> Int? {
        guard !history.isEmpty else { return nil }
        var best = 0
        for index in history.indices.dropFirst() where metric.isImprovement(history[index], over: history[best]) {
            best = index
        }
        return best
    }

    /// Adds one tree's leaf values to `approx` for rows quantized column-major in `bins`.
    private func apply(_ tree: ObliviousTree, bins: [UInt8], rowCount: Int, to approx: inout [Double]) {
        guard rowCount > 0 else { return }
        var leaves = [UInt16](repeating: 0, count: rowCount)
        bins.withUnsafeBufferPointer { bins in
            for (level, split) in tree.splits.enumerated() {
                routeRows(
                    column: bins.baseAddress! + split.featureIndex * rowCount,
                    threshold: UInt8(truncatingIfNeeded: split.borderIndex), bit: UInt16(1) << UInt16(level), leaves: &leaves)
            }
        }
        for row in 0..<rowCount { approx[row] += tree.leafValues[Int(leaves[row])] }
    }

    /// Leaf deltas before the learning rate, over all learn objects (CatBoost's
    /// `CalcDeltaNewtonBody` and `CalcAverage`, catboost/private/libs/algo_helpers/online_predictor.h),
    /// and each leaf's weight.
    private func leafDeltas(
        leafOfRow: [UInt16], leafCount: Int, method: LeafEstimationMethod, iterations: Int, loss: LossFunction,
        passes: LearnPasses, approx: [Double], gradients: [Double], secondDerivatives: [Double], l2: Double
    ) -> (deltas: [Double], leafWeights: [Double]) {
        var deltas = [Double](repeating: 0, count: leafCount)
        let firstSums = passes.leafSums(
            leafOfRow: leafOfRow, leafCount: leafCount, method: method, loss: loss, approx: approx, deltas: nil,
            gradients: gradients, secondDerivatives: secondDerivatives)
        switch method {
        case .exact:
            let (targets, weights) = (passes.targets, passes.weights)
            var residuals = [[Double]](repeating: [], count: leafCount)
            var exactWeights = [[Double]](repeating: [], count: leafCount)
            for row in targets.indices where weights[row] > 0 {
                let leaf = Int(leafOfRow[row])
                residuals[leaf].append(targets[row] - approx[row])
                exactWeights[leaf].append(weights[row] * loss.exactWeight(target: targets[row]))
            }
            for leaf in 0..<leafCount where !residuals[leaf].isEmpty {
                deltas[leaf] = weightedQuantile(residuals[leaf], weights: exactWeights[leaf], alpha: loss.exactQuantile)
            }
        case .newton, .gradient:
            var sums = firstSums
            for step in 0..<iterations {
                if step > 0 {
                    sums = passes.leafSums(
                        leafOfRow: leafOfRow, leafCount: leafCount, method: method, loss: loss, approx: approx,
                        deltas: deltas, gradients: gradients, secondDerivatives: secondDerivatives)
                }
                for leaf in 0..<leafCount {
                    let denominator = -sums.second[leaf] + l2
                    deltas[leaf] += denominator > 0 ? sums.first[leaf] / denominator : 0
                }
            }
        }
        return (deltas, firstSums.weight)
    }

    /// Drops borders no split uses and renumbers the splits' border indexes.
    static func compact(_ ensemble: Ensemble) -> Ensemble {
        var used = ensemble.features.map { [Bool](repeating: false, count: $0.borders.count) }
        for tree in ensemble.trees {
            for split in tree.splits { used[split.featureIndex][split.borderIndex] = true }
        }
        var result = ensemble
        var renumber: [[Int]] = []
        for (index, feature) in ensemble.features.enumerated() {
            var map = [Int](repeating: -1, count: feature.borders.count)
            var kept: [Float] = []
            for (borderIndex, border) in feature.borders.enumerated() where used[index][borderIndex] {
                map[borderIndex] = kept.count
                kept.append(border)
            }
            result.features[index].borders = kept
            renumber.append(map)
        }
        for treeIndex in result.trees.indices {
            for level in result.trees[treeIndex].splits.indices {
                let split = result.trees[treeIndex].splits[level]
                result.trees[treeIndex].splits[level].borderIndex = renumber[split.featureIndex][split.borderIndex]
            }
        }
        return result
    }
}
