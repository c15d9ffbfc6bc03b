import Foundation
import Testing
@testable import Model

/// Our predictions must equal CatBoost's (pip catboost 1.2.10) on every fixture, for both
/// CatBoost file formats and both evaluators: within 1e-6 relative (float32 borders, float64 sums).
@Suite("CatBoost fixtures")
struct CatBoostFixtureTests {
    static let formats = ["json", "cbm"]

    @Test("predictions equal CatBoost's", arguments: Fixtures.cases, formats)
    func predictionsMatch(name: String, format: String) throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("\(name).\(format)"))
        let rows = try Fixtures.features(name)
        let expected = try Fixtures.expected(name)
        #expect(rows.count == expected.count)
        #expect(ensemble.columnCount == rows[0].count)

        let reference = ReferenceEvaluator(ensemble)
        let fast = Evaluator(ensemble)
        let flat = rows.flatMap { $0 }
        var batch = [Double](repeating: 0, count: rows.count)
        fast.predictRaw(features: flat, rowCount: rows.count, into: &batch)
        let transformed = fast.predict(features: flat, rowCount: rows.count)
        for (index, row) in rows.enumerated() {
            let want = expected[index]
            #expect(isClose(reference.predictRaw(row: row), want.raw, relative: 1e-6), "reference row \(index)")
            #expect(isClose(batch[index], want.raw, relative: 1e-6), "batch row \(index): \(batch[index]) vs \(want.raw)")
            #expect(isClose(fast.predictRaw(row: row), want.raw, relative: 1e-6), "single row \(index)")
            #expect(isClose(transformed[index], want.predict, relative: 1e-6), "transformed row \(index)")
        }
    }

    /// CatBoost adds a document's leaves one tree at a time, in order, from 0, then the bias
    /// (evaluator_impl.cpp, scale_and_bias.cpp); so does every path here. A row's bits therefore
    /// do not depend on its path or on the rows batched with it, and they are CatBoost's.
    @Test("every path gives the same bits, and they are CatBoost's", arguments: Fixtures.cases)
    func predictionBits(name: String) throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("\(name).cbm"))
        let rows = try Fixtures.features(name)
        let expected = try Fixtures.expected(name)
        let fast = Evaluator(ensemble)
        let reference = ReferenceEvaluator(ensemble)
        var batch = [Double](repeating: 0, count: rows.count)
        fast.predictRaw(features: rows.flatMap { $0 }, rowCount: rows.count, into: &batch)
        // The rows again, in a different company: reversed, so each sits elsewhere in its block.
        var reversed = [Double](repeating: 0, count: rows.count)
        fast.predictRaw(features: rows.reversed().flatMap { $0 }, rowCount: rows.count, into: &reversed)
        var equalToCatBoost = 0
        for (index, row) in rows.enumerated() {
            let bits = fast.predictRaw(row: row).bitPattern
            #expect(batch[index].bitPattern == bits, "row \(index): batch \(batch[index]) vs single \(fast.predictRaw(row: row))")
            #expect(reversed[rows.count - 1 - index].bitPattern == bits, "row \(index) in the reversed batch")
            #expect(reference.predictRaw(row: row).bitPattern == bits, "row \(index): reference")
            if bits == expected[index].raw.bitPattern { equalToCatBoost += 1 }
        }
        #expect(equalToCatBoost == rows.count, "\(name): \(equalToCatBoost) of \(rows.count) rows equal CatBoost's bits")
    }

    @Test("JSON and .cbm decode to the same ensemble", arguments: Fixtures.cases)
    func formatsAgree(name: String) throws {
        var fromJSON = try ModelLoader.load(path: Fixtures.path("\(name).json"))
        var fromBinary = try ModelLoader.load(path: Fixtures.path("\(name).cbm"))
        // The parameter blobs are serialized differently (JSON object vs string); compare the rest.
        fromJSON.parametersJSON = ""
        fromBinary.parametersJSON = ""
        #expect(fromJSON == fromBinary)
    }

    @Test("the Poisson model predicts exp(raw)")
    func poissonTransform() throws {
        let ensemble = try ModelLoader.load(path: Fixtures.path("depth6_trees100_f8_poisson.cbm"))
        #expect(ensemble.lossFunction == "Poisson")
        #expect(ensemble.predictionTransform == .exponent)
    }
}
