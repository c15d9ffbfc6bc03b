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
        "huber_integers_d2", "nanmax_nan_d6",
    ]

    @Test("same bias, borders, splits and leaf values", arguments: cases)
    func sameModel(name: String) async throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.copy(TrainFixtures.path("\(name)_train.csv"), to: "input/data/training/train.csv")
        try ml.copy(TrainFixtures.path("\(name)_params.json"), to: "input/config/hyperparameters.json")
        #expect(await ml.run() == 0, "failure: \(ml.failure ?? "")")

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
}
