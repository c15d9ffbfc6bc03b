import Testing
import Model

@Suite("CPU baseline")
struct CPUBaselineTests {
    @Test("reads /proc/cpuinfo's flags line, tabs and all")
    func flagsLine() {
        let modern = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 ssse3 fma sse4_1 sse4_2 popcnt avx2\nbugs\t\t: none\n"
        #expect(CPUBaseline.missingFeatures(cpuinfo: modern) == [])
        let old = "processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 lahf_lm\n"
        #if arch(x86_64)
        #expect(CPUBaseline.missingFeatures(cpuinfo: old) == ["sse4_1", "sse4_2", "popcnt"])
        #else
        #expect(CPUBaseline.missingFeatures(cpuinfo: old) == [])
        #endif
    }

    @Test("no flags line: nothing known, nothing refused")
    func noFlags() {
        #expect(CPUBaseline.missingFeatures(cpuinfo: "") == nil)
        #expect(CPUBaseline.missingFeatures(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd\n") == nil)
    }

    @Test("this machine, which runs the tests, has what the build needs")
    func thisMachine() throws {
        let cpuinfo = try #require(CPUBaseline.readCPUInfo())
        #expect(CPUBaseline.missingFeatures(cpuinfo: cpuinfo) ?? [] == [])
    }
}
