import Testing
@testable import Model

/// The fast evaluator against the scalar reference, over every depth, block-size edges,
/// multi-bucket features, and NaN/±inf inputs.
@Suite("Evaluator vs reference")
struct EvaluatorTests {
    static let rowCounts = [0, 1, 7, 8, 15, 16, 17, 127, 128, 129, 255, 256, 257]

    @Test("every depth, every block edge", arguments: Array(0...10), rowCounts)
    func matchesReference(depth: Int, rowCount: Int) {
        var generator = SeededGenerator(seed: UInt64(depth * 1000 + rowCount))
        // 9 trees: two passes of the four-tree kernel plus a remainder of one.
        let ensemble = RandomModels.ensemble(
            depths: Array(repeating: depth, count: 9), featureCount: 5, borderCount: 40, generator: &generator)
        assertAgreement(ensemble, rowCount: rowCount, generator: &generator)
    }

    @Test("mixed depths up to 16, including trees deeper than 8", arguments: [1, 16, 130])
    func mixedDepths(rowCount: Int) {
        var generator = SeededGenerator(seed: 77)
        let ensemble = RandomModels.ensemble(
            depths: [3, 9, 1, 16, 0, 8, 12, 2, 5, 6, 7], featureCount: 7, borderCount: 30, generator: &generator)
        assertAgreement(ensemble, rowCount: rowCount, generator: &generator)
    }

    @Test("features with more than 254 used borders span several byte buckets", arguments: [3, 129, 300])
    func manyBorders(rowCount: Int) {
        var generator = SeededGenerator(seed: 5)
        let ensemble = RandomModels.ensemble(
            depths: Array(repeating: 8, count: 200), featureCount: 2, borderCount: 700, generator: &generator)
        let compiled = CompiledEnsemble(ensemble)
        #expect(compiled.buckets.count > 2, "expected several buckets per feature, got \(compiled.buckets.count)")
        assertAgreement(ensemble, rowCount: rowCount, generator: &generator)
    }

    /// Every border is used, so the bucket has exactly `borderCount` borders: the edges of the
    /// eight-border segments, of the coarse borders' padding, and of the linear/segmented choice.
    @Test(
        "every quantization path (linear, segmented, single row) agrees with the reference on every border count",
        arguments: [1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 71, 72, 73, 127, 128, 129, 254])
    func quantizationKernels(borderCount: Int) {
        var generator = SeededGenerator(seed: UInt64(borderCount))
        var ensemble = RandomModels.ensemble(depths: [], featureCount: 1, borderCount: borderCount, generator: &generator)
        ensemble.trees = (0..<borderCount).map { border in
            ObliviousTree(
                splits: [TreeSplit(featureIndex: 0, borderIndex: border)],
                leafValues: [Double.random(in: -1...1, using: &generator), Double.random(in: -1...1, using: &generator)])
        }
        #expect(CompiledEnsemble(ensemble).buckets.map(\.borderCount) == [borderCount])
        assertAgreement(ensemble, rowCount: 300, generator: &generator)
    }

    /// Byte shuffles read 16-byte tables of buckets: one and two tables have their own loops,
    /// three to eight the general one, and beyond eight the split lists take over.
    @Test("single rows by byte shuffles over 1 to 8 tables; more buckets fall back to split lists", arguments: [3, 16, 17, 32, 33, 128, 129])
    func shuffleTables(featureCount: Int) {
        var generator = SeededGenerator(seed: UInt64(featureCount))
        // An odd tree count leaves a half-filled last group.
        let ensemble = RandomModels.ensemble(
            depths: Array(repeating: 6, count: 301), featureCount: featureCount, borderCount: 6, generator: &generator)
        let evaluator = Evaluator(ensemble)
        let bucketCount = evaluator.compiled.buckets.count
        #if arch(x86_64)
        #expect(evaluator.singleRowMethod == (bucketCount <= 128 ? .shuffles : .splitLists), "\(bucketCount) buckets")
        #endif
        assertAgreement(ensemble, rowCount: 40, generator: &generator)
    }

    /// Shuffles pad every tree's leaves to the deepest tree's count; mixed depths within 4×
    /// padding keep the shuffles, wider mixes fall back to the split lists.
    @Test("single rows over trees of mixed depths, padded or falling back", arguments: [[6, 5, 6, 4, 0, 6, 5], [8, 1, 2, 1, 2, 1, 3]])
    func mixedDepthShuffles(depths: [Int]) {
        var generator = SeededGenerator(seed: UInt64(depths.reduce(0, +)))
        let ensemble = RandomModels.ensemble(depths: depths, featureCount: 20, borderCount: 12, generator: &generator)
        let leafCount = depths.reduce(0) { $0 + (1 << $1) }
        let padded = depths.count << max(depths.max()!, PaddedLeafValues.strideShiftMin)
        #if arch(x86_64)
        #expect(Evaluator(ensemble).singleRowMethod == (padded <= 4 * leafCount ? .shuffles : .splitLists))
        #endif
        assertAgreement(ensemble, rowCount: 50, generator: &generator)
    }

    @Test("an ensemble with no trees predicts the bias")
    func emptyEnsemble() {
        let ensemble = Ensemble(features: [FloatFeature(columnIndex: 0, borders: [0.5])], trees: [], scale: 1, bias: 3.5)
        #expect(Evaluator(ensemble).predict(features: [1, 2, 3], rowCount: 3) == [3.5, 3.5, 3.5])
        #expect(Evaluator(ensemble).predict(row: [0]) == 3.5)
    }

    @Test("a NaN follows nan_value_treatment: AsFalse and AsIs go left, AsTrue goes right")
    func nanTreatment() {
        for (treatment, expected) in [(NanValueTreatment.asIs, 1.0), (.asFalse, 1.0), (.asTrue, 2.0)] {
            let ensemble = Ensemble(
                features: [FloatFeature(columnIndex: 0, borders: [0], nanValueTreatment: treatment)],
                trees: [ObliviousTree(splits: [TreeSplit(featureIndex: 0, borderIndex: 0)], leafValues: [1, 2])])
            let batch = Evaluator(ensemble).predict(features: [Float](repeating: .nan, count: 20), rowCount: 20)
            #expect(batch.allSatisfy { $0 == expected }, "\(treatment)")
            #expect(Evaluator(ensemble).predict(row: [.nan]) == expected)
            #expect(ReferenceEvaluator(ensemble).predict(row: [.nan]) == expected)
        }
    }

    @Test("a value equal to the border is not greater than it")
    func strictComparison() {
        let ensemble = Ensemble(
            features: [FloatFeature(columnIndex: 0, borders: [0.25])],
            trees: [ObliviousTree(splits: [TreeSplit(featureIndex: 0, borderIndex: 0)], leafValues: [10, 20])])
        let rows: [Float] = [0.25, Float(0.25).nextUp, Float(0.25).nextDown] + [Float](repeating: 0.25, count: 17)
        let predictions = Evaluator(ensemble).predict(features: rows, rowCount: rows.count)
        #expect(predictions[0] == 10)
        #expect(predictions[1] == 20)
        #expect(predictions[2] == 10)
        #expect(predictions[3...].allSatisfy { $0 == 10 })
    }

    private func assertAgreement(_ ensemble: Ensemble, rowCount: Int, generator: inout SeededGenerator) {
        let fast = Evaluator(ensemble)
        let reference = ReferenceEvaluator(ensemble)
        let columnCount = ensemble.columnCount
        let rows = RandomModels.rows(for: ensemble, count: rowCount, generator: &generator)
        let batch = fast.predict(features: rows, rowCount: rowCount)
        #expect(batch.count == rowCount)
        // Every path adds the leaves in tree order, so the bits agree, not just the values.
        let alone = (0..<rowCount).map { row in
            fast.predict(features: Array(rows[(row * columnCount)..<((row + 1) * columnCount)]), rowCount: 1)[0]
        }
        // Every build of the tree pass this CPU runs (the default, `.selected`, is one of them).
        let wide = InstructionLevel.allCases.filter { $0 <= .detected }.map { level in
            (level, Evaluator(ensemble, instructionLevel: level).predict(features: rows, rowCount: rowCount))
        }
        for row in 0..<rowCount {
            let values = Array(rows[(row * columnCount)..<((row + 1) * columnCount)])
            let want = reference.predict(row: values).bitPattern
            #expect(batch[row].bitPattern == want, "row \(row) of \(rowCount): \(batch[row]) vs \(reference.predict(row: values))")
            for (level, predictions) in wide {
                #expect(predictions[row].bitPattern == want, "row \(row) of \(rowCount), \(level) tree pass")
            }
            #expect(alone[row].bitPattern == want, "row \(row) in a batch of one")
            #expect(fast.predict(row: values).bitPattern == want, "single row \(row)")
            for method in Evaluator.SingleRowMethod.allCases where fast.supports(method) {
                let raw = values.withUnsafeBufferPointer { fast.predictRaw(singleRow: $0, method: method) }
                #expect(fast.predictionTransform.apply(raw).bitPattern == want, "single row \(row), \(method)")
            }
        }
    }
}
