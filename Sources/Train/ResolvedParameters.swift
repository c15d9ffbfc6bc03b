import Model

/// The options one training run uses: `TrainingParameters` with every data-dependent default
/// filled in exactly as CatBoost's `SetDataDependentDefaults` (catboost/libs/train_lib/
/// options_helper.cpp) fills them, so the run reads plain values, never unresolved optionals.
struct ResolvedParameters: Sendable {
    /// The options as given, for what is written back (`parameters`) and logged.
    let given: TrainingParameters

    let iterations: Int
    /// The given rate, CatBoost's automatic rate, or 0.03 for losses without one.
    let learningRate: Double
    let depth: Int
    let l2LeafReg: Double
    let borderCount: Int
    let nanMode: NanMode
    let scoreFunction: ScoreFunction
    let randomStrength: Double
    let bootstrapType: BootstrapType
    let subsample: Double
    let baggingTemperature: Double
    /// nil: CatBoost's automatic MVS regularizer, recomputed for every tree from the previous one.
    let mvsReg: Double?
    let samplingFrequency: SamplingFrequency
    /// Logloss's positive-class weight (1 for every other loss).
    let scalePosWeight: Double
    let rsm: Double
    let boostFromAverage: Bool
    let lossFunction: LossFunction
    let evalMetric: Metric
    let leafEstimationMethod: LeafEstimationMethod
    let leafEstimationIterations: Int
    /// nil: no overfitting detector.
    let overfittingDetector: OverfittingDetector?
    let odWait: Int
    let useBestModel: Bool
    let randomSeed: UInt64
    /// `thread_count=-1` resolved to the online cores.
    let threadCount: Int
    let metricPeriod: Int
    let checkpointIterations: Int

    init(_ given: TrainingParameters, rowCount: Int, featureCount: Int, hasEvalSet: Bool) {
        self.given = given
        let loss = given.lossFunction
        let leafSettingsWereGiven =
            given.leafEstimationMethod != nil || given.leafEstimationIterations != nil || given.l2LeafRegWasSet
        boostFromAverage = given.boostFromAverage ?? loss.boostsFromAverageByDefault
        useBestModel = given.useBestModel ?? hasEvalSet
        if let rate = given.learningRate {
            learningRate = rate
        } else if loss.hasAutoLearningRate, !leafSettingsWereGiven {
            learningRate = Self.autoLearningRate(
                loss: loss, rowCount: rowCount, iterations: given.iterations, useBestModel: useBestModel && hasEvalSet,
                boostFromAverage: boostFromAverage)
        } else {
            learningRate = 0.03
        }
        subsample = given.subsample ?? Self.defaultSubsample(given.bootstrapType, rowCount: rowCount)
        leafEstimationMethod = given.leafEstimationMethod ?? loss.defaultLeafEstimationMethod
        leafEstimationIterations = given.leafEstimationIterations
            ?? loss.defaultLeafEstimationIterations(iterations: given.iterations, featureCount: featureCount)
        evalMetric = given.evalMetric ?? .loss(loss)
        threadCount = given.threadCount < 0 ? ProcessorCount.online : given.threadCount

        iterations = given.iterations
        depth = given.depth
        l2LeafReg = given.l2LeafReg
        borderCount = given.borderCount
        nanMode = given.nanMode
        scoreFunction = given.scoreFunction
        randomStrength = given.randomStrength
        bootstrapType = given.bootstrapType
        baggingTemperature = given.baggingTemperature
        mvsReg = given.mvsReg
        samplingFrequency = given.samplingFrequency
        scalePosWeight = loss == .logloss ? given.scalePosWeight : 1
        rsm = given.rsm
        lossFunction = loss
        overfittingDetector = given.overfittingDetector
        odWait = given.odWait
        randomSeed = given.randomSeed
        metricPeriod = given.metricPeriod
        checkpointIterations = given.checkpointIterations
    }

    /// The given options with the resolved defaults written in (what a finished run reports).
    var parameters: TrainingParameters {
        var parameters = given
        parameters.learningRate = learningRate
        parameters.boostFromAverage = boostFromAverage
        parameters.useBestModel = useBestModel
        parameters.subsample = subsample
        parameters.leafEstimationMethod = leafEstimationMethod
        parameters.leafEstimationIterations = leafEstimationIterations
        parameters.evalMetric = evalMetric
        parameters.threadCount = threadCount
        return parameters
    }

    /// Whether split search draws nothing at random (no bootstrap, no score noise, every
    /// feature a candidate): then trees can equal CatBoost's bit for bit, and histograms are
    /// summed in its order.
    var searchesDeterministically: Bool { bootstrapType == .no && randomStrength == 0 && rsm >= 1 }

    /// CatBoost logs the rate it chose itself, unless it is the 0.03 fallback.
    var learningRateWasChosen: Bool {
        given.learningRate == nil && lossFunction.hasAutoLearningRate && learningRate != 0.03
    }

    /// MVS keeps 0.8 (everything below 100 objects), Bernoulli 0.66; the others keep every row.
    static func defaultSubsample(_ bootstrapType: BootstrapType, rowCount: Int) -> Double {
        switch bootstrapType {
        case .mvs: rowCount < 100 ? 1 : 0.8
        case .bernoulli: 0.66
        case .bayesian, .no: 1
        }
    }

    /// CatBoost's `TAutoLRParamsGuesser` (catboost/libs/train_lib/options_helper.cpp), rounded
    /// to 6 decimals.
    static func autoLearningRate(
        loss: LossFunction, rowCount: Int, iterations: Int, useBestModel: Bool, boostFromAverage: Bool
    ) -> Double {
        let (a, b, c): (Double, Double, Double)
        switch (loss, useBestModel, boostFromAverage) {
        case (.logloss, false, _): (a, b, c) = (0.427, -7.525, -0.917)
        case (.logloss, true, _): (a, b, c) = (0.247, -5.158, -0.435)
        case (_, false, true): (a, b, c) = (0.158, -4.287, -0.813)
        case (_, true, true): (a, b, c) = (0.157, -4.062, -0.61)
        case (_, false, false): (a, b, c) = (0.178, -4.473, -0.76)
        case (_, true, false): (a, b, c) = (0.189, -4.383, -0.623)
        }
        let rate = (a * Double(rowCount).logarithm + b).exponential * (Double(iterations) / 1000).power(c)
        return (min(rate, 0.5) * 1e6).rounded() / 1e6
    }
}
