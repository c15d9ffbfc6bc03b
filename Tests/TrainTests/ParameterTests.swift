import Testing
import Model
@testable import Train

@Suite("Hyperparameters")
struct ParameterTests {
    @Test("SageMaker's built-in CatBoost spellings: Auto values, SymmetricTree/Plain, XGBoost's save_model_on_termination")
    func builtInAlgorithmSpellings() throws {
        let parameters = try TrainingParameters(hyperparameters: [
            "eval_metric": "Auto", "max_bin": "Auto", "grow_policy": "SymmetricTree", "boosting_type": "Auto",
            "save_model_on_termination": "true", "num_round": "77",
        ])
        #expect(parameters.iterations == 77)
        #expect(try TrainingParameters(hyperparameters: ["objective": "reg:squarederror"]).lossFunction == .rmse)
        #expect(try TrainingParameters(hyperparameters: ["objective": "reg:tweedie"]).lossFunction == .tweedie(variancePower: 1.5))
        #expect(try TrainingParameters(hyperparameters: ["objective": "binary:logistic"]).lossFunction == .logloss)
        #expect(throws: TrainingError.self) { _ = try TrainingParameters(hyperparameters: ["objective": "reg:pseudohubererror"]) }
        #expect(parameters.evalMetric == nil)
        #expect(parameters.borderCount == TrainingParameters().borderCount)
        #expect(parameters.saveModelOnTerminate)
        let unchanged = try TrainingParameters(hyperparameters: [
            "max_leaves": "31", "min_data_in_leaf": "1", "sampling_frequency": "PerTree", "scale_pos_weight": "1.0",
        ])
        #expect(unchanged == TrainingParameters())
        for (key, value, mentions) in [("grow_policy", "Lossguide", "SymmetricTree"), ("grow_policy", "Depthwise", "SymmetricTree"),
                                       ("boosting_type", "Ordered", "Plain")] {
            #expect {
                _ = try TrainingParameters(hyperparameters: [key: value])
            } throws: { "\($0)".contains("\(key)=\(value) is not supported") && "\($0)".contains(mentions) }
        }
    }

    @Test("sampling_frequency takes CatBoost's two spellings, exactly; the default is CatBoost's own")
    func samplingFrequency() throws {
        #expect(try TrainingParameters(hyperparameters: ["sampling_frequency": "PerTreeLevel"]).samplingFrequency == .perTreeLevel)
        #expect(try TrainingParameters(hyperparameters: ["sampling_frequency": "PerTree"]).samplingFrequency == .perTree)
        // CatBoost's resolved options, as its get_all_params() reports them, are in every model it saves.
        let model = try #require(try TrainFixtures.json("rmse_numeric_d2.json") as? [String: Any])
        let options = (model["model_info"] as? [String: Any])?["params"] as? [String: Any]
        let treeOptions = try #require(options?["tree_learner_options"] as? [String: Any])
        #expect(treeOptions["sampling_frequency"] as? String == TrainingParameters().samplingFrequency.rawValue)
        for value in ["pertreelevel", "PerLevel", ""] {
            #expect {
                _ = try TrainingParameters(hyperparameters: ["sampling_frequency": value])
            } throws: { "\($0)".contains("expected one of PerTree, PerTreeLevel") }
        }
    }

    @Test("scale_pos_weight: a positive number, for Logloss (also as binary:logistic); 1 is let through for any loss")
    func scalePosWeight() throws {
        let logloss = try TrainingParameters(hyperparameters: ["loss_function": "Logloss", "scale_pos_weight": "3.5"])
        #expect(logloss.scalePosWeight == 3.5)
        #expect(logloss.resolved(rowCount: 100, featureCount: 2, hasEvalSet: false).scalePosWeight == 3.5)
        #expect(try TrainingParameters(hyperparameters: ["objective": "binary:logistic", "scale_pos_weight": "0.25"])
            .scalePosWeight == 0.25)
        #expect(try TrainingParameters(hyperparameters: ["scale_pos_weight": "1.0"]) == TrainingParameters())
        for value in ["0", "-2", "abc", "inf", "nan", ""] {
            #expect(throws: TrainingError.self, "scale_pos_weight=\(value)") {
                _ = try TrainingParameters(hyperparameters: ["loss_function": "Logloss", "scale_pos_weight": value])
            }
        }
        for loss in ["RMSE", "Poisson", "CrossEntropy"] {
            #expect {
                _ = try TrainingParameters(hyperparameters: ["loss_function": loss, "scale_pos_weight": "3.5"])
            } throws: {
                "\($0)".contains("scale_pos_weight=3.5 is supported only for binary classification")
                    && "\($0)".contains("loss_function here is \(loss)")
            }
        }
    }

    @Test("Logloss needs both classes in the training targets, as CatBoost does")
    func loglossNeedsBothClasses() async throws {
        let rows = (0..<50).map { [Double($0 % 7)] }
        let booster = Booster(parameters: try TrainingParameters(hyperparameters: [
            "loss_function": "Logloss", "boost_from_average": "true", "iterations": "3",
        ]))
        await #expect {
            _ = try await booster.train(learn: DataTable(rows: rows, targets: rows.map { _ in 1 }), eval: nil)
        } throws: { "\($0)".contains("Logloss needs both classes in the training targets; every row has 1") }
        let both = try await booster.train(learn: DataTable(rows: rows, targets: rows.map { $0[0] > 3 ? 1 : 0 }), eval: nil)
        // 21 of the 50 rows are positive; CatBoost rounds the share to float32 before its logit.
        let share = Double(Float(21.0 / 50))
        #expect(both.ensemble.bias == -(1 / share - 1).logarithm)
    }

    /// `TAutoLRParamsGuesser` (catboost/libs/train_lib/options_helper.cpp); the expected rates are the wheel's.
    @Test("automatic learning rate equals CatBoost's", arguments: [
        (300, 1000, false, 0.03385), (5000, 1000, false, 0.052798), (5000, 200, false, 0.19538),
        (2000, 1000, true, 0.056775), (300, 30, true, 0.357899), (60000, 100, false, 0.5),
    ] as [(Int, Int, Bool, Double)])
    func autoLearningRate(rows: Int, iterations: Int, evalSet: Bool, expected: Double) {
        let rate = ResolvedParameters.autoLearningRate(
            loss: .rmse, rowCount: rows, iterations: iterations, useBestModel: evalSet, boostFromAverage: true)
        #expect(rate == expected)
    }

    @Test("CatBoost's defaults and SageMaker's string values")
    func defaults() throws {
        let resolved = try TrainingParameters(hyperparameters: ["sagemaker_job_name": "x", "depth": "8.0"])
            .resolved(rowCount: 1000, featureCount: 5, hasEvalSet: false)
        #expect(resolved.depth == 8)
        #expect(resolved.iterations == 1000)
        #expect(resolved.l2LeafReg == 3)
        #expect(resolved.borderCount == 254)
        #expect(resolved.bootstrapType == .mvs && resolved.subsample == 0.8)
        #expect(resolved.randomStrength == 1)
        #expect(resolved.boostFromAverage == true)
        #expect(resolved.leafEstimationIterations == 1)
        #expect(try TrainingParameters(hyperparameters: ["loss_function": "Poisson"])
            .resolved(rowCount: 1000, featureCount: 5, hasEvalSet: false).learningRate == 0.03)
        #expect(try TrainingParameters(hyperparameters: ["early_stopping_rounds": "7"]).odWait == 7)
    }

    @Test("loss functions parse CatBoost's spelling", arguments: [
        ("RMSE", LossFunction.rmse), ("Quantile:alpha=0.9", .quantile(alpha: 0.9)), ("Huber:delta=2", .huber(delta: 2)),
        ("Tweedie:variance_power=1.5", .tweedie(variancePower: 1.5)), ("Expectile:alpha=0.3", .expectile(alpha: 0.3)),
        ("Logloss", .logloss), ("MAE", .mae), ("MAPE", .mape), ("Poisson", .poisson),
        ("LogLinQuantile:alpha=0.4", .logLinQuantile(alpha: 0.4)),
    ] as [(String, LossFunction)])
    func lossNames(text: String, expected: LossFunction) throws {
        #expect(try LossFunction(parsing: text) == expected)
    }

    @Test("a bad loss or metric is reported under the name the user wrote", arguments: [
        ("eval_metric", "Bogus", "eval_metric 'Bogus' is not supported", "or R2"),
        ("eval_metric", "Quantile:alpha=3", "eval_metric Quantile:alpha=3: alpha", ""),
        ("loss_function", "Bogus", "loss_function 'Bogus' is not supported", "or Logloss"),
        ("objective", "Huber", "objective Huber needs delta", ""),
    ])
    func lossAndMetricErrors(key: String, value: String, mentions: String, alsoMentions: String) {
        let error = #expect(throws: TrainingError.self) { try TrainingParameters(hyperparameters: [key: value]) }
        let description = error?.description ?? ""
        #expect(description.contains(mentions) && description.contains(alsoMentions), "\(description)")
        if key != "loss_function" { #expect(!description.contains("loss_function"), "\(description)") }
    }

    @Test("verbose takes CatBoost's booleans (True: every iteration, False: silent) and integers", arguments: [
        ("True", 1), ("true", 1), ("False", 0), ("false", 0), ("0", 0), ("10", 10),
    ])
    func verbose(value: String, metricPeriod: Int) throws {
        #expect(try TrainingParameters(hyperparameters: ["verbose": value]).metricPeriod == metricPeriod)
    }

    @Test("every loss trains and improves on its starting loss", arguments: [
        "RMSE", "MAE", "Quantile:alpha=0.8", "MAPE", "Poisson", "Huber:delta=1", "Tweedie:variance_power=1.5",
        "LogLinQuantile:alpha=0.5", "Expectile:alpha=0.4",
    ])
    func everyLossTrains(loss: String) async throws {
        let rows = (0..<400).map { index -> [Double] in [Double(index % 23), Double((index * 13) % 7)] }
        let targets = rows.map { 1 + $0[0] * 0.3 + $0[1] }
        let table = DataTable(rows: rows, targets: targets)
        let result = try await Booster(parameters: TrainingParameters(hyperparameters: [
            "loss_function": loss, "iterations": "60", "learning_rate": "0.2",
        ])).train(learn: table, eval: nil)
        #expect(result.learnHistory.last! < result.learnHistory.first!, "\(loss): \(result.learnHistory.first!) → \(result.learnHistory.last!)")
    }
}
