import Model

/// Plain boosting with categorical features, as CatBoost's CPU trainer runs it when a feature
/// needs CTRs (catboost/private/libs/algo/train.cpp, `TrainOneIteration`): `permutation_count − 1`
/// learning folds and an averaging fold, each a permutation of the learn set with its own
/// approx. Each iteration takes one learning fold at random, grows the tree on its derivatives
/// and ordered CTRs, then every fold fits the tree's leaves on its own routing and derivatives;
/// the averaging fold's leaves are the model's (`CalcLeafValues` on `AveragingFold`).
struct CategoricalBoostingRun {
    let options: ResolvedParameters
    let categorical: CategoricalOptions
    let columns: [CategoricalColumn]
    /// Float features, then one-hot features (value ids as bins).
    let dataset: QuantizedDataset
    let learner: CategoricalTreeLearner
    let store: CTRStore
    let passes: LearnPasses
    let learningRate: Double
    let l2: Double
    /// Blocks of every row-parallel pass, fixed so the model does not depend on thread_count.
    static let blockCount = 4

    private(set) var folds: [CTRFold]
    private(set) var trees: [(splits: [CategoricalSplit], leafValues: [Double], leafWeights: [Double])] = []
    private(set) var usedTables = Set<UsedTable>()
    private(set) var bias: Double
    private(set) var random: RandomGenerator
    private(set) var learnHistory: [Double] = []
    var eval: CategoricalEvalSet?
    private(set) var evalHistory: [Double] = []
    private(set) var bestIteration: Int?

    init(
        options: ResolvedParameters, categorical: CategoricalOptions, columns: [CategoricalColumn], dataset: QuantizedDataset,
        oneHotColumn: [Int?], targets: [Float], random: RandomGenerator
    ) {
        self.options = options
        self.categorical = categorical
        self.columns = columns
        self.dataset = dataset
        self.random = random
        let weights = BoostingRun.objectWeights(targets: targets, scalePosWeight: options.scalePosWeight)
        learningRate = Double(Float(options.learningRate))
        l2 = max(options.l2LeafReg, 1e-20) * weights.reduce(0, +) / Double(targets.count)
        passes = LearnPasses(targets: targets.map(Double.init), weights: weights, threadCount: Self.blockCount)
        bias = options.boostFromAverage ? options.lossFunction.bestConstant(targets: targets, weights: weights) : 0
        let ctrColumns = columns.indices.filter { columns[$0].uniqueCount > max(1, categorical.oneHotMaxSize) }
        learner = CategoricalTreeLearner(
            dataset: dataset, isOneHot: oneHotColumn.map { $0 != nil }, oneHotColumn: oneHotColumn, depth: options.depth,
            scoreFunction: options.scoreFunction, rsm: options.rsm, blockCount: Self.blockCount,
            modelSizeReg: categorical.modelSizeReg,
            maxComplexity: categorical.resolvedMaxCTRComplexity(iterations: options.iterations), ctrColumns: ctrColumns)
        let foldCount = max(1, categorical.permutationCount - 1) + 1
        store = CTRStore(
            columns: columns, dataset: dataset, options: categorical, targets: targets, foldCount: foldCount,
            blockCount: Self.blockCount)
        var folds: [CTRFold] = []
        for _ in 0..<foldCount { folds.append(CTRFold(rowCount: targets.count, bias: bias, random: &self.random)) }
        self.folds = folds
    }

    var learningFoldCount: Int { folds.count - 1 }

    /// One iteration; returns the learn metric (on the averaging fold's approx).
    mutating func step() async -> Double {
        let rowCount = dataset.rowCount
        let taken = Int(random.next() % UInt64(learningFoldCount))
        let sums = derivatives(fold: taken)
        let mvs = options.mvsReg ?? automaticMVSRegularizer(absoluteGradientSum: sums.absoluteSum)
        let seed = options.bootstrapType == .no ? 0 : random.next()
        let sample = passes.sample(
            type: options.bootstrapType, subsample: options.subsample, baggingTemperature: options.baggingTemperature,
            mvsRegularizer: mvs, seed: seed, gradients: folds[taken].gradients)
        var noiseDeviation = 0.0
        if options.randomStrength > 0 {
            let modelSize = (Double(rowCount).logarithm - Double(trees.count) * learningRate).exponential
            noiseDeviation = options.randomStrength * (sums.squareSum / Double(rowCount)).squareRoot() * modelSize / (1 + modelSize)
        }
        let grown = await learner.grow(
            sample: sample, store: store, fold: taken, permutation: folds[taken].permutation, usedTables: usedTables, l2: l2,
            noiseDeviation: noiseDeviation, random: &random)
        for split in grown.splits {
            if case .ctr(let projection, let output, _) = split {
                let layout = store.layout(projection)
                usedTables.insert(UsedTable(type: layout.descriptions[layout.outputs[output].description].type, projection: projection))
            }
        }
        let treeProjections = Array(Set(grown.splits.compactMap(\.projection)))
        store.prepare(treeProjections, permutations: folds.indices.filter { $0 != taken }.map { ($0, folds[$0].permutation) })
        // Every fold fits the tree on its own routing and derivatives, concurrently.
        let sources = folds.indices.map { fold in fold == taken ? [] : grown.splits.map { splitSource($0, fold: fold) } }
        let (options, passes, l2, learningRate) = (options, passes, l2, learningRate)
        let leafCount = 1 << grown.splits.count
        let takenLeaves = grown.leafOfRow
        let fitted = folds.withUnsafeMutableBufferPointer { folds in
            let shared = SharedRows(folds)
            return ForkJoin.map(folds.count) { fold in
                let leafOfRow = fold == taken ? takenLeaves : SplitSource.leafOfRow(sources[fold], rowCount: rowCount)
                return (shared.base + fold).pointee.fit(
                    leafOfRow: leafOfRow, leafCount: leafCount, options: options, passes: passes, l2: l2, learningRate: learningRate)
            }
        }
        let learnValue = fitted[folds.count - 1].learnLoss
        let modelLeaves = (values: fitted[folds.count - 1].leafValues, weights: fitted[folds.count - 1].leafWeights)
        store.trim()
        trees.append((grown.splits, modelLeaves.values, modelLeaves.weights))
        learnHistory.append(learnValue)
        if eval != nil { recordEval() }
        return learnValue
    }

    /// The fold's derivatives at its approx (the last update already wrote them).
    private mutating func derivatives(fold: Int) -> LearnPasses.DerivativeSums {
        folds[fold].updateDerivatives(passes: passes, loss: options.lossFunction)
    }

    /// Where a split reads fold `fold`'s rows (its CTR buckets must be prepared).
    func splitSource(_ split: CategoricalSplit, fold: Int) -> SplitSource {
        learner.source(split, store: store, fold: fold, permutation: folds[fold].permutation)
    }

    private func automaticMVSRegularizer(absoluteGradientSum: Double) -> Double {
        let mean = trees.last.map { last in last.leafValues.reduce(0) { $0 + abs($1) } / Double(last.leafValues.count) }
            ?? absoluteGradientSum / Double(dataset.rowCount)
        return mean * mean
    }

    private mutating func recordEval() {
        guard var evalSet = eval, let tree = trees.last else { return }
        let value = evalSet.add(tree.splits, leafValues: tree.leafValues, store: store, options: options)
        eval = evalSet
        evalHistory.append(value)
        if bestIteration.map({ options.evalMetric.isImprovement(value, over: evalHistory[$0]) }) ?? true {
            bestIteration = evalHistory.count - 1
        }
    }
}
