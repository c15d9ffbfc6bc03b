import Model

/// One training run between iterations: the quantized data, the approxes and derivatives the
/// loop carries, the trees so far and the learning curves. `step()` is one boosting iteration.
struct BoostingRun {
    let options: ResolvedParameters
    let dataset: QuantizedDataset
    /// The validation rows quantized column-major, and their targets; nil without an eval set.
    let eval: (bins: [UInt8], targets: [Float])?
    /// CatBoost keeps the learning rate as a float32.
    let learningRate: Double
    /// λ for leaf values and split scores: l2_leaf_reg scaled by the mean learn weight
    /// (CatBoost's `ScaleL2Reg`).
    let l2: Double
    private let passes: LearnPasses
    private let learner: TreeLearner
    private let evalWeights: [Double]
    /// This rank's learn rows among all (one process: all of them).
    let shard: RowShard

    private(set) var trees: [ObliviousTree] = []
    private(set) var bias: Double
    private(set) var random: RandomGenerator
    private(set) var learnHistory: [Double] = []
    private(set) var evalHistory: [Double] = []
    /// The iteration with the best eval metric so far (the earliest among equals).
    private(set) var bestIteration: Int?
    private var approx: [Double]
    private var evalApprox: [Double]
    private var gradients: [Double]
    private var secondDerivatives: [Double]
    /// The previous iteration's approx update already wrote this iteration's derivatives.
    private var nextDerivativeSums: LearnPasses.DerivativeSums?

    /// A run from the start (bias from the targets), or from `resumeFrom`, whose trees are
    /// replayed in order so the approxes equal the uninterrupted run's bit for bit.
    ///
    /// In a multi-host job `dataset`, `learnTargets` and `eval` are this rank's rows (`shard`);
    /// the bias is the best constant of every rank's targets, gathered in global row order.
    init(
        options: ResolvedParameters, dataset: QuantizedDataset, learnTargets: [Float],
        eval: (bins: [UInt8], targets: [Float])?, random: RandomGenerator, resumeFrom: TrainingProgress?,
        shard: RowShard? = nil, communicator: any Communicator = SingleProcess()
    ) throws(TrainingError) {
        let rowCount = dataset.rowCount
        let shard = shard ?? RowShard(wholeOf: rowCount)
        precondition(shard.rowCount == rowCount, "the shard is not this dataset's")
        let weights = Self.objectWeights(targets: learnTargets, scalePosWeight: options.scalePosWeight)
        self.options = options
        self.dataset = dataset
        self.eval = eval
        self.shard = shard
        learningRate = Double(Float(options.learningRate))
        l2 = max(options.l2LeafReg, 1e-20) * communicator.allReduceSum(weights.reduce(0, +)) / Double(shard.totalRowCount)
        passes = LearnPasses(
            targets: learnTargets.map(Double.init), weights: weights, threadCount: options.threadCount,
            communicator: communicator, firstRow: shard.firstRow,
            parallelRowCountMin: options.searchesDeterministically
                ? RowBlocks.parallelRowCountMin : RowBlocks.parallelRowCountMinRandomSearch)
        learner = TreeLearner(
            dataset: dataset, depth: options.depth, scoreFunction: options.scoreFunction, rsm: options.rsm,
            threadCount: options.threadCount, subtractionRowCountMin: options.searchesDeterministically ? TreeLearner.subtractionRowCountMinDefault : 0,
            communicator: communicator)
        // CatBoost's metrics weigh validation objects by their class weight too (`use_weights`).
        evalWeights = Self.objectWeights(targets: eval?.targets ?? [], scalePosWeight: options.scalePosWeight)
        if options.boostFromAverage {
            let allTargets = communicator.allGatherValues(learnTargets)
            let allWeights = communicator.isDistributed
                ? Self.objectWeights(targets: allTargets, scalePosWeight: options.scalePosWeight) : weights
            bias = options.lossFunction.bestConstant(targets: allTargets, weights: allWeights)
        } else {
            bias = 0
        }
        self.random = random
        if let resumeFrom {
            guard resumeFrom.trees.count <= options.iterations, resumeFrom.trees.allSatisfy({ Self.fits($0, dataset) }) else {
                throw TrainingError("the checkpoint does not match this data and these hyperparameters")
            }
            trees = resumeFrom.trees
            bias = resumeFrom.bias
            self.random = resumeFrom.random
            learnHistory = resumeFrom.learnHistory
        }
        approx = [Double](repeating: bias, count: rowCount)
        evalApprox = [Double](repeating: bias, count: evalWeights.count)
        gradients = [Double](repeating: 0, count: rowCount)
        secondDerivatives = [Double](repeating: 0, count: rowCount)
        for tree in trees {
            Self.apply(tree, bins: dataset.bins, rowCount: rowCount, to: &approx)
            Self.apply(tree, bins: eval?.bins ?? [], rowCount: evalWeights.count, to: &evalApprox)
        }
        for value in resumeFrom?.evalHistory ?? [] { recordEval(value) }
    }

    /// Each object's weight: CatBoost's class weights [1, scale_pos_weight] for Logloss's 0/1
    /// targets, kept as float32 as CatBoost keeps weights; 1 for every object otherwise.
    static func objectWeights(targets: [Float], scalePosWeight: Double) -> [Double] {
        let positive = Double(Float(scalePosWeight))
        return targets.map { $0 == 1 ? positive : 1 }
    }

    /// Whether every split of a checkpoint's tree names a feature and border this data has.
    private static func fits(_ tree: ObliviousTree, _ dataset: QuantizedDataset) -> Bool {
        tree.splits.allSatisfy { split in
            split.featureIndex < dataset.featureCount && split.borderIndex < dataset.binCounts[split.featureIndex] - 1
        }
    }

    /// Appends an eval metric value; a later iteration is best only if strictly better.
    private mutating func recordEval(_ value: Double) {
        evalHistory.append(value)
        if bestIteration.map({ options.evalMetric.isImprovement(value, over: evalHistory[$0]) }) ?? true {
            bestIteration = evalHistory.count - 1
        }
    }

    /// What a checkpoint stores to resume this run.
    var progress: TrainingProgress {
        TrainingProgress(trees: trees, bias: bias, random: random, learnHistory: learnHistory, evalHistory: evalHistory)
    }

    /// One iteration: sample rows, grow a tree on them, fit its leaves on every row, update the
    /// approxes (which writes the next iteration's derivatives) and the learning curves.
    /// Returns the learn metric after the iteration.
    mutating func step() async -> Double {
        let rowCount = shard.totalRowCount
        let iteration = trees.count
        let sums = nextDerivativeSums ?? passes.derivatives(
            loss: options.lossFunction, approx: approx, gradients: &gradients, secondDerivatives: &secondDerivatives)
        let sample = splitSample(mvsRegularizer: options.mvsReg ?? automaticMVSRegularizer(absoluteGradientSum: sums.absoluteSum))
        var noiseDeviation = 0.0
        if options.randomStrength > 0 {
            // CatBoost's `CalcDerivativesStDevFromZeroMultiplier`, decayed with the model's length.
            let modelSize = (Double(rowCount).logarithm - Double(iteration) * learningRate).exponential
            noiseDeviation =
                options.randomStrength * (sums.squareSum / Double(rowCount)).squareRoot() * modelSize / (1 + modelSize)
        }
        // The score's λ is the leaves' λ: CatBoost scales l2_leaf_reg by the mean learn weight,
        // never by the sample's (`BodySumWeight` in catboost/private/libs/algo/scoring.cpp).
        let grown = await learner.grow(sample: sample, l2: l2, noiseDeviation: noiseDeviation, random: &random)
        let (deltas, leafWeights) = leafDeltas(leafOfRow: grown.leafOfRow, leafCount: 1 << grown.splits.count)
        let tree = ObliviousTree(
            splits: grown.splits.map { TreeSplit(featureIndex: $0.feature, borderIndex: $0.borderIndex) },
            leafValues: deltas.map { learningRate * $0 }, leafWeights: leafWeights)
        let (learnValue, derivativeSums) = passes.addLeafValues(
            tree.leafValues, leafOfRow: grown.leafOfRow, loss: options.lossFunction, approx: &approx,
            gradients: &gradients, secondDerivatives: &secondDerivatives)
        nextDerivativeSums = derivativeSums
        trees.append(tree)
        learnHistory.append(learnValue)
        if let eval {
            Self.apply(tree, bins: eval.bins, rowCount: evalWeights.count, to: &evalApprox)
            recordEval(
                options.evalMetric.evaluate(
                    targets: eval.targets, approx: evalApprox, weights: evalWeights, communicator: passes.communicator))
        }
        return learnValue
    }

    /// The rows split search sees this tree: one sample for the tree, or with
    /// sampling_frequency=PerTreeLevel a sample drawn anew for each level from the same
    /// derivatives and regularizer. Without a bootstrap every sample is every row, so PerTree
    /// is used and the random stream stays the same for both settings, as do the trees.
    private mutating func splitSample(mvsRegularizer: Double) -> TreeLearner.SplitSample {
        let (passes, gradients, options) = (passes, gradients, options)
        let draw: @Sendable (UInt64) -> SampledRows = { seed in
            passes.sample(
                type: options.bootstrapType, subsample: options.subsample, baggingTemperature: options.baggingTemperature,
                mvsRegularizer: mvsRegularizer, seed: seed, gradients: gradients)
        }
        if options.bootstrapType == .no { return .perTree(draw(0)) }
        switch options.samplingFrequency {
        case .perTree: return .perTree(draw(random.next()))
        case .perTreeLevel: return .perTreeLevel(draw: draw)
        }
    }

    /// CatBoost's MVS regularizer when `mvs_reg` is not given: the squared mean |leaf value| of
    /// the previous tree, or the squared mean |der1| before the first.
    private func automaticMVSRegularizer(absoluteGradientSum: Double) -> Double {
        let mean = trees.last.map { last in last.leafValues.reduce(0) { $0 + abs($1) } / Double(last.leafCount) }
            ?? absoluteGradientSum / Double(shard.totalRowCount)
        return mean * mean
    }

    /// Adds one tree's leaf values to `approx` for rows quantized column-major in `bins`.
    private static func apply(_ tree: ObliviousTree, bins: [UInt8], rowCount: Int, to approx: inout [Double]) {
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

    /// Leaf deltas before the learning rate, over all learn objects, and each leaf's weight.
    private func leafDeltas(leafOfRow: [UInt16], leafCount: Int) -> (deltas: [Double], leafWeights: [Double]) {
        Self.leafDeltas(
            options: options, passes: passes, l2: l2, leafOfRow: leafOfRow, leafCount: leafCount, approx: approx,
            gradients: gradients, secondDerivatives: secondDerivatives)
    }
}
