import Testing
@testable import Model

/// Categorical models read from CatBoost's files: both formats agree, and the fast evaluator
/// (categorical transform + numeric kernels) agrees with the plain reference.
@Suite struct CategoricalModelTests {
    static let formats = ["json", "cbm"]

    @Test("a CatBoost categorical model reads the same from JSON and .cbm")
    func formatsAgree() throws {
        var json = try ModelLoader.load(path: Fixtures.path("categorical.json"))
        var binary = try ModelLoader.load(path: Fixtures.path("categorical.cbm"))
        // The parameters are the same JSON object with members in another order.
        (json.parametersJSON, binary.parametersJSON) = ("", "")
        #expect(json.categoricalFeatures.count == 1)
        #expect(!json.ctrFeatures.isEmpty && !json.ctrTables.isEmpty)
        #expect(json == binary)
    }

    @Test("our model file and CatBoost JSON export read back the same model", arguments: formats)
    func roundTrips(format: String) throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("categorical.\(format)"))
        let viaModelFile = try ModelFile.decode(try ModelFile.encode(ensemble))
        #expect(viaModelFile == ensemble)
        var viaJSON = try CatBoostJSON.decode(try CatBoostJSON.encode(ensemble))
        var original = ensemble
        (viaJSON.parametersJSON, original.parametersJSON) = ("", "")
        #expect(viaJSON == original)
    }

    @Test("the evaluator agrees with the reference on seen and unseen categories", arguments: formats)
    func evaluatorMatchesReference(format: String) throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("categorical.\(format)"))
        let seen = CategorySamples.seenHashes(of: ensemble)
        #expect(seen.count >= 3)
        var generator = SeededGenerator(seed: 7)
        var rows: [[Float]] = []
        for _ in 0..<700 {
            var row = (0..<ensemble.columnCount).map { _ in Float.random(in: -2...2, using: &generator) }
            let hash = generator.next() % 4 == 0 ? UInt32(truncatingIfNeeded: generator.next()) : seen[Int(generator.next() % UInt64(seen.count))]
            for feature in ensemble.categoricalFeatures { row[feature.columnIndex] = Float(bitPattern: hash) }
            rows.append(row)
        }
        let evaluator = Evaluator(ensemble)
        let reference = ReferenceEvaluator(ensemble)
        let batch = evaluator.predict(features: rows.flatMap { $0 }, rowCount: rows.count)
        for (index, row) in rows.enumerated() {
            let expected = reference.predict(row: row)
            #expect(isClose(batch[index], expected, relative: 1e-12), "row \(index)")
            #expect(isClose(evaluator.predict(row: row), expected, relative: 1e-12), "single row \(index)")
        }
    }
}

/// Category hashes a model's CTR tables know: a one-feature key is `mix(0, hash)` =
/// M²·sext(hash) mod 2^64, which M's odd-ness makes invertible.
enum CategorySamples {
    static func seenHashes(of ensemble: Ensemble) -> [UInt32] {
        let multiplier: UInt64 = 0x4906_BA49_4954_CB65
        var inverse: UInt64 = 1  // Newton's iteration for the inverse of an odd number mod 2^64
        for _ in 0..<7 { inverse = inverse &* (2 &- multiplier &* inverse) }
        var hashes: Set<UInt32> = []
        for table in ensemble.ctrTables where table.combination.complexity == 1 {
            for key in table.keys {
                let value = key &* inverse &* inverse
                if Int64(bitPattern: value) == Int64(Int32(truncatingIfNeeded: value)) {
                    hashes.insert(UInt32(truncatingIfNeeded: value))
                }
            }
        }
        for oneHot in ensemble.oneHotFeatures { hashes.formUnion(oneHot.values) }
        return hashes.sorted()
    }
}
