import Testing
import Model
#if canImport(Glibc)
import Glibc
#endif

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
        let cpuinfo = try #require(readProcCPUInfo())
        #expect(CPUBaseline.missingFeatures(cpuinfo: cpuinfo) ?? [] == [])
    }

    private func readProcCPUInfo() -> String? {
        #if os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while case let count = fread(&chunk, 1, chunk.count, file), count > 0 { text += chunk[0..<count] }
        return String(decoding: text, as: UTF8.self)
        #else
        return nil
        #endif
    }
}
