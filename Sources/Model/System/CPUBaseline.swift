#if canImport(Glibc)
import Glibc
#endif

/// The instruction set this build assumes (see `cpuBaseline` in Package.swift), and how to tell
/// whether a CPU has it, so that an old CPU gets a message rather than SIGILL.
public enum CPUBaseline {
    /// x86-64-v2's features that the code generated for `-target-cpu nehalem` may use, in
    /// /proc/cpuinfo's spelling. Empty where the build assumes nothing beyond the architecture.
    public static var requiredFeatures: [String] {
        #if arch(x86_64)
        ["ssse3", "sse4_1", "sse4_2", "popcnt"]
        #else
        []
        #endif
    }

    /// /proc/cpuinfo's text, or nil where there is none. Read to the end in chunks: the file
    /// reports size 0, so `FileIO.readAll` would see it empty.
    public static func readCPUInfo() -> String? {
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

    /// The required features missing from the first `flags` line of /proc/cpuinfo; nil when the
    /// text has no such line (then nothing is known and nothing should be refused).
    public static func missingFeatures(cpuinfo: String) -> [String]? {
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].filter({ !$0.isWhitespace }) == "flags" else { continue }
            let present = Set(parts[1].split(separator: " ").map(String.init))
            return requiredFeatures.filter { !present.contains($0) }
        }
        return nil
    }
}
