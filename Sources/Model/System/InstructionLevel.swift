#if arch(x86_64)
import CCPUID
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Which build of the evaluator's tree pass runs: every build carries all three, and the
/// widest the CPU and the operating system support is chosen once, at start-up, from CPUID
/// and XCR0 (as LLVM's `getHostCPUFeatures` and glibc's `cpu_features` decide), unless
/// `SYMMETREE_INSTRUCTIONS` asks for a narrower one.
public enum InstructionLevel: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// x86-64-v2 (SSE4.2, POPCNT): what every target of the package is compiled for.
    case baseline
    /// `-target-cpu haswell`: AVX2, BMI1/2, FMA, F16C, LZCNT, MOVBE.
    case avx2
    /// `-target-cpu skylake-avx512`: the above and AVX-512 F, CD, BW, DQ, VL.
    case avx512

    /// The environment variable that forces a level (for tests, and for users who want the
    /// narrower kernels): `baseline`, `avx2` or `avx512`.
    public static let environmentVariable = "SYMMETREE_INSTRUCTIONS"

    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level named `text` (its `description`), or nil.
    public init?(named text: String) {
        guard let level = Self.allCases.first(where: { $0.description == text }) else { return nil }
        self = level
    }

    /// The widest level this CPU and operating system run.
    public static let detected: InstructionLevel = detect()

    /// The level evaluators use: `detected`, or the one `SYMMETREE_INSTRUCTIONS` names when it
    /// is narrower. A wider or unknown name is ignored here; `requested()` reports it.
    public static let selected: InstructionLevel = {
        guard case .success(let level?) = requested() else { return detected }
        return min(level, detected)
    }()

    /// What `SYMMETREE_INSTRUCTIONS` asks for: nil when unset, an error when it names no level
    /// or one this machine cannot run (the command line refuses to start then).
    public static func requested() -> Result<InstructionLevel?, InstructionLevelError> {
        requested(getenv(environmentVariable).map { String(cString: $0) }, detected: detected)
    }

    /// `requested()` for the variable's value `value` on a CPU that runs at most `detected`.
    static func requested(_ value: String?, detected: InstructionLevel) -> Result<InstructionLevel?, InstructionLevelError> {
        guard let value else { return .success(nil) }
        guard let level = InstructionLevel(named: value) else {
            let names = allCases.map(\.description).joined(separator: ", ")
            return .failure(InstructionLevelError(description: "\(environmentVariable)=\(value) names no instruction level (one of: \(names))"))
        }
        guard level <= detected else {
            return .failure(InstructionLevelError(description: "\(environmentVariable)=\(value): this CPU runs at most \(detected)"))
        }
        return .success(level)
    }

    private static func detect() -> InstructionLevel {
        #if arch(x86_64)
        let leaf1 = symmetree_cpuid(1, 0)
        // OSXSAVE: the OS manages extended state, so XCR0 can be read.
        guard leaf1.ecx & (1 << 27) != 0 else { return .baseline }
        let osSaved = symmetree_xgetbv0()
        let maxLeaf = symmetree_cpuid(0, 0).eax
        guard maxLeaf >= 7 else { return .baseline }
        let leaf7 = symmetree_cpuid(7, 0)
        let extended = symmetree_cpuid(0x8000_0001, 0)
        let hasAVX2 =
            osSaved & 0b110 == 0b110  // XMM and YMM state
            && leaf1.ecx & (1 << 28) != 0  // AVX
            && leaf1.ecx & (1 << 12) != 0  // FMA
            && leaf1.ecx & (1 << 22) != 0  // MOVBE
            && leaf1.ecx & (1 << 29) != 0  // F16C
            && leaf7.ebx & (1 << 5) != 0  // AVX2
            && leaf7.ebx & (1 << 3) != 0  // BMI1
            && leaf7.ebx & (1 << 8) != 0  // BMI2
            && extended.ecx & (1 << 5) != 0  // LZCNT
        guard hasAVX2 else { return .baseline }
        let avx512Bits: UInt32 = 1 << 16 | 1 << 17 | 1 << 28 | 1 << 30 | 1 << 31  // F, DQ, CD, BW, VL
        let hasAVX512 =
            osSaved & 0b1110_0000 == 0b1110_0000  // opmask, upper ZMM0-15, ZMM16-31 state
            && leaf7.ebx & avx512Bits == avx512Bits
        return hasAVX512 ? .avx512 : .avx2
        #else
        return .baseline
        #endif
    }
}
