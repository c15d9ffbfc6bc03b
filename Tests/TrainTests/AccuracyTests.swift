import Foundation
import Model
import Testing
@testable import Train

/// With default parameters (MVS, random_strength 1, auto learning rate) splits differ from
/// CatBoost's by chance, so the bar is held-out accuracy: test RMSE within 1% of CatBoost's.
/// The pertreelevel cases draw a new sample before every tree level, in both trainers; there
/// one seed's RMSE differs from another's by about 1%, so both sides are means over the
/// fixture's `seeds`.
@Suite("Held-out accuracy vs CatBoost defaults")
struct AccuracyTests {
    @Test("test RMSE within 1% of CatBoost's",
          arguments: ["diabetes", "synthetic", "diamonds", "pertreelevel_bernoulli", "pertreelevel_mvs"])
    func heldOutRMSE(name: String) async throws {
        let fixture = try #require(try TrainFixtures.json("\(name)_accuracy.json") as? [String: Any])
        let catBoostRMSE = try #require(fixture["catboost_test_rmse"] as? Double)
        let hyperparameters = try #require(fixture["params"] as? [String: String])
        // Without `seeds`, one run with the fixture's own random_seed.
        let seeds: [String?] = (fixture["seeds"] as? [String]) ?? [nil]

        let learn = try loadTable(TrainFixtures.path("\(name)_train.csv.gz"))
        let test = try loadTable(TrainFixtures.path("\(name)_test.csv.gz"))
        var errors: [Double] = []
        for seed in seeds {
            var values = hyperparameters
            if let seed { values["random_seed"] = seed }
            let result = try await Booster(parameters: TrainingParameters(hyperparameters: values))
                .train(learn: learn, eval: nil)
            let predictions = Evaluator(result.ensemble).predict(features: rowMajor(test), rowCount: test.rowCount)
            errors.append(rootMeanSquaredError(predictions, test.targets))
        }
        let ours = errors.reduce(0, +) / Double(errors.count)
        #expect(ours <= catBoostRMSE * 1.01, "Symmetree test RMSE \(ours) (by seed: \(errors)) vs CatBoost \(catBoostRMSE)")
    }
}
