import Foundation
import Model
import Testing
@testable import Train

/// With bootstrap_type=No and random_strength=0 CatBoost is deterministic; our trainer must
/// produce its borders, splits and leaf values, through the whole
/// SageMaker contract (CSV in, CatBoost JSON out).
@Suite("Training equals CatBoost 1.2.10")
struct CatBoostExactnessTests {
    static let cases = [
        "rmse_numeric_d2", "rmse_numeric_d6", "rmse_nan_d8", "rmse_integers_d6_l2", "huber_numeric_d6",
        "huber_integers_d2", "nanmax_nan_d6", "logloss_spw_d4", "logloss_spw_bfa_d6",
    ]

    /// Runs the SageMaker job on a case's fixture: its training file, hyperparameters and, when
    /// the case has one, validation file (CatBoost then kept its best iteration's trees).
    static func train(_ name: String) async throws -> MLRoot {
        let ml = try MLRoot()
        try ml.copy(TrainFixtures.path("\(name)_train.csv"), to: "input/data/training/train.csv")
        try ml.copy(TrainFixtures.path("\(name)_params.json"), to: "input/config/hyperparameters.json")
        let validation = TrainFixtures.path("\(name)_validation.csv")
        if FileManager.default.fileExists(atPath: validation) {
            try ml.copy(validation, to: "input/data/validation/validation.csv")
        }
        #expect(await ml.run() == 0, "failure: \(ml.failure ?? "")")
        return ml
    }

    @Test("same bias, borders, splits and leaf values", arguments: cases)
    func sameModel(name: String) async throws {
        let ml = try await Self.train(name)
        defer { ml.remove() }

        let ours = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: ml.root + "/model/model.json"))) as? [String: Any])
        let theirs = try #require(try TrainFixtures.json("\(name).json") as? [String: Any])

        let ourBias = ((ours["scale_and_bias"] as! [Any])[1] as! [Double])[0]
        let theirBias = ((theirs["scale_and_bias"] as! [Any])[1] as! [Double])[0]
        #expect(ourBias == theirBias)

        func borders(_ model: [String: Any]) -> [[Float]] {
            ((model["features_info"] as! [String: Any])["float_features"] as! [[String: Any]]).map {
                ($0["borders"] as? [Double] ?? []).map(Float.init)
            }
        }
        #expect(borders(ours) == borders(theirs), "used borders differ")

        let ourTrees = ours["oblivious_trees"] as! [[String: Any]]
        let theirTrees = theirs["oblivious_trees"] as! [[String: Any]]
        #expect(ourTrees.count == theirTrees.count)
        var largestLeafDifference = 0.0
        for (index, (mine, reference)) in zip(ourTrees, theirTrees).enumerated() {
            func splits(_ tree: [String: Any]) -> [[Double]] {
                (tree["splits"] as! [[String: Any]]).map {
                    [($0["float_feature_index"] as! NSNumber).doubleValue, Double(Float(($0["border"] as! NSNumber).doubleValue))]
                }
            }
            #expect(splits(mine) == splits(reference), "tree \(index) splits")
            let a = mine["leaf_values"] as! [Double]
            let b = reference["leaf_values"] as! [Double]
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) { largestLeafDifference = max(largestLeafDifference, abs(x - y) / max(1, abs(y))) }
        }
        #expect(largestLeafDifference <= 1e-12, "largest relative leaf difference \(largestLeafDifference)")
    }

    /// scale_pos_weight weighs every positive 3.5 in derivatives, leaf sums, λ and, as CatBoost's
    /// metrics use weights by default, in the validation Logloss too.
    @Test("with scale_pos_weight, validation predictions and the validation Logloss equal CatBoost's")
    func weightedPredictionsAndMetric() async throws {
        let ml = try await Self.train("logloss_spw_d4")
        defer { ml.remove() }
        let expected = try #require(try TrainFixtures.json("logloss_spw_d4_validation_expected.json") as? [String: Any])
        let theirRaw = try #require(expected["raw"] as? [Double])
        let theirMetric = try #require(expected["metric"] as? [Double])

        let validation = try loadTable(TrainFixtures.path("logloss_spw_d4_validation.csv"))
        let model = try ModelLoader.load(path: ml.root + "/model/model.symmetree")
        var ourRaw: [Double] = []
        Evaluator(model).predictRaw(features: rowMajor(validation), rowCount: validation.rowCount, into: &ourRaw)
        #expect(ourRaw.count == theirRaw.count)
        let rawDifference = zip(ourRaw, theirRaw).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
        #expect(rawDifference <= 1e-9, "largest relative difference of raw predictions \(rawDifference)")

        let curve = try String(contentsOfFile: ml.root + "/output/data/test_error.tsv", encoding: .utf8)
        let ourMetric = curve.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: "\t")[1]) }
        #expect(ourMetric.count == theirMetric.count)
        let metricDifference = zip(ourMetric, theirMetric).map { abs($0 - $1) / $1 }.max() ?? .infinity
        #expect(metricDifference <= 1e-12, "largest relative difference of the validation Logloss \(metricDifference)")
    }

    @Test("scale_pos_weight with a regression loss fails the job saying it needs Logloss")
    func scalePosWeightNeedsLogloss() async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.copy(TrainFixtures.path("rmse_numeric_d2_train.csv"), to: "input/data/training/train.csv")
        try ml.hyperparameters(["loss_function": "RMSE", "scale_pos_weight": "3.5", "iterations": "5"])
        #expect(await ml.run() == 1)
        let failure = try #require(ml.failure)
        #expect(failure.contains("scale_pos_weight=3.5 is supported only for binary classification"), "\(failure)")
        #expect(failure.contains("loss_function here is RMSE"), "\(failure)")
    }
}
