import Testing
@testable import Model

/// The transform's two table layouts (hashed slots, dense cells by category id) against each
/// other on CatBoost's own categorical fixtures, and the key decomposition the dense layout
/// rests on.
@Suite struct CategoricalTransformTests {
    /// Output rows of `transform` for `rows`.
    static func apply(_ transform: CategoricalTransform, to rows: [Float]) -> [Float] {
        let rowCount = rows.count / transform.inputColumnCount
        var output = [Float](repeating: .nan, count: rowCount * transform.outputColumnCount)
        rows.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                transform.apply(rows: input.baseAddress!, rowCount: rowCount, into: output.baseAddress!)
            }
        }
        return output
    }

    /// Output rows of a transform built with `layouts` for the fixture's rows.
    static func transformed(_ name: String, layouts: CategoricalTransform.Layouts) throws -> (rows: [Float], dense: Int, hashed: Int) {
        let ensemble = try ModelLoader.load(path: CategoricalFixtureTests.path("\(name).cbm"))
        let rows = try CategoricalFixtureTests.rows(name, evaluator: Evaluator(ensemble))
        let transform = CategoricalTransform(ensemble, layouts: layouts)
        return (apply(transform, to: rows), transform.denseReaders.count, transform.readers.count)
    }

    @Test("dense and hashed layouts write the same rows", arguments: CategoricalFixtureTests.cases)
    func layoutsAgree(name: String) throws {
        let hashed = try Self.transformed(name, layouts: .hashedOnly)
        let dense = try Self.transformed(name, layouts: .denseWherePossible)
        let automatic = try Self.transformed(name, layouts: .automatic)
        #expect(hashed.dense == 0)
        #expect(dense.dense > 0, "\(name): no table went dense")
        #expect(dense.dense >= automatic.dense)
        #expect(hashed.rows.map(\.bitPattern) == dense.rows.map(\.bitPattern))
        #expect(hashed.rows.map(\.bitPattern) == automatic.rows.map(\.bitPattern))
    }

    @Test("CatBoost's fixtures lay every table out densely")
    func fixturesAreDense() throws {
        for name in CategoricalFixtureTests.cases {
            let automatic = try Self.transformed(name, layouts: .automatic)
            #expect(automatic.hashed == 0, "\(name): \(automatic.hashed) hashed tables")
        }
    }

    /// `cat_complexity2` with 3,000 more categories for two features and 3,000 sparse pairs of
    /// them in every table combining both: dense cells for the pairs would outgrow the hashed
    /// slots, so `automatic` keeps those hashed and the rest dense.
    @Test("a sparse combination of high-cardinality features stays hashed and reads the same")
    func sparseCombinationStaysHashed() throws {
        var ensemble = try ModelLoader.load(path: CategoricalFixtureTests.path("cat_complexity2.cbm"))
        let pairIndex = try #require(ensemble.ctrTables.firstIndex { $0.combination.categoricalFeatures.count == 2 })
        let pair = ensemble.ctrTables[pairIndex].combination.categoricalFeatures
        var generator = SeededGenerator(seed: 15)
        let extra = (0..<2).map { _ in (0..<3_000).map { _ in UInt32(truncatingIfNeeded: generator.next()) } }
        for index in ensemble.ctrTables.indices {
            let table = ensemble.ctrTables[index]
            let combination = table.combination
            let bitCount = combination.floatSplits.count + combination.oneHotSplits.count
            let parts: [[UInt32]]
            if combination.categoricalFeatures == [pair[0]] || combination.categoricalFeatures == [pair[1]] {
                parts = extra[pair.firstIndex(of: combination.categoricalFeatures[0])!].map { [$0] }
            } else if combination.categoricalFeatures == pair {
                parts = (0..<3_000).map { [extra[0][$0], extra[1][($0 * 7) % 3_000]] }
            } else {
                continue
            }
            let keys = parts.map { CategoricalTransformTests.key(categories: $0, bits: [Bool](repeating: false, count: bitCount)) }
            ensemble.ctrTables[index] = CTRTable(
                combination: combination, type: table.type, stride: table.stride, counterDenominator: table.counterDenominator,
                keys: table.keys + keys,
                counts: table.counts + keys.flatMap { _ in (0..<table.stride).map { _ in Int32(generator.next() % 9) } },
                sums: table.sums.isEmpty ? [] : table.sums + keys.map { _ in Float(generator.next() % 100) / 10 })
        }
        var rows = try CategoricalFixtureTests.rows("cat_complexity2", evaluator: Evaluator(ensemble))
        let columns = pair.map { ensemble.categoricalFeatures[$0].columnIndex }
        let fixtureRowCount = rows.count / ensemble.columnCount
        for row in 0..<600 {
            var values = Array(rows[((row % fixtureRowCount) * ensemble.columnCount)...].prefix(ensemble.columnCount))
            values[columns[0]] = CategoryHash.storedValue(extra[0][row % 3_000])
            values[columns[1]] = CategoryHash.storedValue(extra[1][(row % 3 == 0 ? row * 7 : row) % 3_000])
            rows += values
        }
        let automatic = CategoricalTransform(ensemble, layouts: .automatic)
        let hashed = CategoricalTransform(ensemble, layouts: .hashedOnly)
        #expect(automatic.readers.count > 0 && automatic.denseReaders.count > 0)
        #expect(Self.apply(automatic, to: rows).map(\.bitPattern) == Self.apply(hashed, to: rows).map(\.bitPattern))
        let reference = ReferenceEvaluator(ensemble)
        let rowCount = rows.count / ensemble.columnCount
        var raw = [Double](repeating: 0, count: rowCount)
        Evaluator(ensemble).predictRaw(features: rows, rowCount: rowCount, into: &raw)
        for row in 0..<rowCount {
            let values = Array(rows[(row * ensemble.columnCount)..<((row + 1) * ensemble.columnCount)])
            #expect(isClose(raw[row], reference.predictRaw(row: values), relative: 1e-12), "row \(row)")
        }
    }

    /// Keys folded with `mix` from the given parts, as a CTR table holds them.
    static func key(categories: [UInt32], bits: [Bool]) -> UInt64 {
        var key: UInt64 = 0
        for category in categories { key = FeatureCombination.mix(key, category: category) }
        for bit in bits { key = FeatureCombination.mix(key, bit ? 1 : 0) }
        return key
    }

    @Test("the key fold is the linear form of its coefficients")
    func keyIsLinear() {
        var generator = SeededGenerator(seed: 11)
        for operandCount in 1...5 {
            let coefficients = FeatureCombination.keyCoefficients(operandCount: operandCount)
            #expect(coefficients.allSatisfy { $0 & 1 == 1 })
            for coefficient in coefficients { #expect(coefficient &* FeatureCombination.inverse(ofOdd: coefficient) == 1) }
            for _ in 0..<100 {
                let values = (0..<operandCount).map { _ in generator.next() }
                let folded = values.reduce(UInt64(0)) { FeatureCombination.mix($0, $1) }
                #expect(folded == zip(coefficients, values).reduce(UInt64(0)) { $0 &+ $1.0 &* $1.1 })
            }
        }
    }

    @Test("one categorical part: every key's category and outcomes come back")
    func decomposesSingleFeature() throws {
        var generator = SeededGenerator(seed: 12)
        for bitCount in 0...3 {
            let parts = (0..<2_000).map { _ in
                (UInt32(truncatingIfNeeded: generator.next()), (0..<bitCount).map { _ in generator.next() % 2 == 0 })
            }
            let keys = parts.map { Self.key(categories: [$0.0], bits: $0.1) }
            let reading = try #require(CTRKeyDecomposition(keys: keys, categoryCount: 1, bitCount: bitCount, known: [nil]))
            #expect(reading.categories == parts.map(\.0))
            #expect(reading.patterns == parts.map { $0.1.enumerated().reduce(UInt32(0)) { $0 | ($1.element ? 1 << UInt32($1.offset) : 0) } })
        }
    }

    @Test("several categorical parts: read over the known categories, refused when one is missing")
    func decomposesCombinations() throws {
        var generator = SeededGenerator(seed: 13)
        let first = (0..<40).map { _ in UInt32(truncatingIfNeeded: generator.next()) }
        let second = (0..<25).map { _ in UInt32(truncatingIfNeeded: generator.next()) }
        var parts: [(UInt32, UInt32, [Bool])] = []
        for _ in 0..<300 {
            parts.append((first.randomElement(using: &generator)!, second.randomElement(using: &generator)!, [generator.next() % 2 == 0]))
        }
        let keys = parts.map { Self.key(categories: [$0.0, $0.1], bits: $0.2) }
        let reading = try #require(
            CTRKeyDecomposition(keys: keys, categoryCount: 2, bitCount: 1, known: [Set(first), Set(second)]))
        #expect(reading.categories == parts.flatMap { [$0.0, $0.1] })
        #expect(reading.patterns == parts.map { $0.2[0] ? 1 : 0 })
        let missing = Set(second).subtracting([parts[0].1])
        #expect(CTRKeyDecomposition(keys: keys, categoryCount: 2, bitCount: 1, known: [Set(first), missing]) == nil)
        #expect(CTRKeyDecomposition(keys: keys, categoryCount: 2, bitCount: 1, known: [Set(first), nil]) == nil)
    }

    @Test("a key no fold of categories produced, or a search over budget, is refused")
    func refusesUnreadableKeys() {
        // Sign-extended 32-bit categories have their top 33 bits equal: these keys are not folds
        // of any category (checked: every candidate reading of them has mixed top bits).
        let keys: [UInt64] = [0x0123_4567_89AB_CDEF]
        #expect(CTRKeyDecomposition(keys: keys, categoryCount: 1, bitCount: 0, known: [nil]) == nil)
        let wide = Set((0..<3_000).map { UInt32($0) })
        let many = [UInt64](repeating: Self.key(categories: [1, 2], bits: [true, false]), count: 400)
        #expect(CTRKeyDecomposition(keys: many, categoryCount: 2, bitCount: 2, known: [wide, wide]) == nil)
    }

    @Test("category ids: seen hashes numbered in order, anything else unseen")
    func categoryIDs() {
        var generator = SeededGenerator(seed: 14)
        let seen = Set((0..<500).map { _ in UInt32(truncatingIfNeeded: generator.next()) })
        let ids = CategoryIDs(seen)
        #expect(ids.count == seen.count)
        for (index, hash) in seen.sorted().enumerated() { #expect(ids.id(of: hash) == index) }
        for _ in 0..<500 {
            let hash = UInt32(truncatingIfNeeded: generator.next())
            if !seen.contains(hash) { #expect(ids.id(of: hash) == seen.count) }
        }
    }
}
