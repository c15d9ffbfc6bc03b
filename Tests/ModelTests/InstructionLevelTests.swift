import Testing
@testable import Model

/// Which build of the batch tree pass runs, and that each one this CPU has is the one used.
@Suite("Instruction levels")
struct InstructionLevelTests {
    @Test("SYMMETREE_INSTRUCTIONS names a level this CPU runs, or is refused with the reason")
    func requestedLevel() throws {
        #expect(try InstructionLevel.requested(nil, detected: .avx2).get() == nil)
        #expect(try InstructionLevel.requested("baseline", detected: .avx2).get() == .baseline)
        #expect(try InstructionLevel.requested("avx2", detected: .avx2).get() == .avx2)
        guard case .failure(let wider) = InstructionLevel.requested("avx512", detected: .avx2) else {
            Issue.record("a level above the CPU's was accepted")
            return
        }
        #expect(wider.description.contains("at most avx2"))
        guard case .failure(let unknown) = InstructionLevel.requested("AVX-512", detected: .avx512) else {
            Issue.record("an unknown name was accepted")
            return
        }
        #expect(unknown.description.contains("baseline, avx2, avx512"))
    }

    @Test("the level in use is never above what the CPU runs")
    func selectedWithinDetected() {
        #expect(InstructionLevel.selected <= InstructionLevel.detected)
        #if arch(x86_64)
        // Every x86-64 CPU this build starts on has CPUID leaf 1; this machine's answer must
        // agree with what the kernel reports in /proc/cpuinfo.
        if let cpuinfo = CPUBaseline.readCPUInfo() {
            let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
            let kernelAVX512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains)
            #expect((InstructionLevel.detected == .avx512) == kernelAVX512, "CPUID and /proc/cpuinfo disagree on AVX-512")
            #expect((InstructionLevel.detected >= .avx2) == (flags.contains("avx2") && flags.contains("bmi2") && flags.contains("fma")))
        }
        #endif
    }

    @Test("models with trees up to 8 deep take the wide pass asked for; deeper ones the baseline")
    func wideWhereTheModelFits() {
        var generator = SeededGenerator(seed: 11)
        let shallow = RandomModels.ensemble(depths: [6, 2, 8, 5], featureCount: 4, borderCount: 10, generator: &generator)
        let deep = RandomModels.ensemble(depths: [6, 9], featureCount: 4, borderCount: 10, generator: &generator)
        for level in InstructionLevel.allCases where level <= .detected {
            #expect(Evaluator(shallow, instructionLevel: level).instructionLevel == level)
            #expect(Evaluator(deep, instructionLevel: level).instructionLevel == .baseline)
        }
    }
}

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
