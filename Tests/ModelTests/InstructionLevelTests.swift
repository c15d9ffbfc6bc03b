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

    @Test("CPUID and XCR0 agree with the kernel's /proc/cpuinfo flags")
    func detectedAgreesWithKernel() {
        #if arch(x86_64)
        // Every x86-64 CPU this build starts on has CPUID leaf 1; this machine's answer must
        // agree with what the kernel reports in /proc/cpuinfo.
        if let cpuinfo = CPUBaseline.readCPUInfo() {
            let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
            let kernelAVX512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains)
            #expect((InstructionLevel.detected == .avx512) == kernelAVX512, "CPUID and /proc/cpuinfo disagree on AVX-512")
            // Every feature the haswell-built module may use (LZCNT is /proc/cpuinfo's "abm").
            let kernelAVX2 = ["avx2", "bmi1", "bmi2", "fma", "f16c", "movbe", "abm"].allSatisfy(flags.contains)
            #expect((InstructionLevel.detected >= .avx2) == kernelAVX2, "CPUID and /proc/cpuinfo disagree on AVX2")
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
