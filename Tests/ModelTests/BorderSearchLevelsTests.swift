import Testing
@testable import Model

/// The binary search layout the AVX-512 quantization descends.
@Suite("Border search levels")
struct BorderSearchLevelsTests {
    @Test("n borders take the fewest levels L with 2^L - 1 >= n")
    func levelCounts() {
        let expected = [0: 0, 1: 1, 2: 2, 3: 2, 4: 3, 7: 3, 8: 4, 127: 7, 128: 8, 254: 8, 255: 8]
        for (borders, levels) in expected {
            #expect(BorderSearchLevels.levelCount(borderCount: borders) == levels, "\(borders) borders")
        }
    }

    @Test("level k holds the borders at (2j + 1)·2^(L-1-k) - 1, +inf past the last, padded to 16")
    func layout() {
        let borders: [Float] = [1, 2, 3, 4, 5]  // L = 3: levels [4], [2, +inf], [1, 3, 5, +inf]
        let ensemble = Ensemble(
            features: [FloatFeature(columnIndex: 0, borders: borders)],
            trees: borders.indices.map { ObliviousTree(splits: [TreeSplit(featureIndex: 0, borderIndex: $0)], leafValues: [0, 1]) })
        let levels = BorderSearchLevels(CompiledEnsemble(ensemble))
        #expect(Array(levels.levelCounts) == [3])
        let floats = Array(levels.floats)
        #expect(floats.count == 48)
        #expect(floats[0] == 4 && floats[1...15].allSatisfy { $0 == .infinity })
        #expect(floats[16] == 2 && floats[17] == .infinity && floats[18...31].allSatisfy { $0 == .infinity })
        #expect(Array(floats[32..<36]) == [1, 3, 5, .infinity])
        // Descending: a value's final node is its count of borders strictly below it.
        for value: Float in [0, 1, 1.5, 3, 3.5, 5, 6, .infinity, -.infinity] {
            var node = 0
            for level in 0..<3 { node = 2 * node + (value > floats[16 * level + node] ? 1 : 0) }
            #expect(node == borders.count(where: { $0 < value }), "\(value)")
        }
    }

    @Test("only an AVX-512 compile builds them")
    func builtForAVX512Only() {
        var generator = SeededGenerator(seed: 3)
        let ensemble = RandomModels.ensemble(depths: [4, 4], featureCount: 3, borderCount: 20, generator: &generator)
        #expect(CompiledEnsemble(ensemble, instructionLevel: .avx2).searchLevels == nil)
        #expect(CompiledEnsemble(ensemble, instructionLevel: .avx512).searchLevels != nil)
    }
}
