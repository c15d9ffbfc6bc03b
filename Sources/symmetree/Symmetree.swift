import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

@main
struct Symmetree: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CatBoost-compatible gradient-boosted oblivious trees for SageMaker.",
        subcommands: [TrainCommand.self, ServeCommand.self, Predict.self, Inspect.self, Export.self]
    )

    static func main() async {
        refuseUnsupportedCPU()
        refuseUnrunnableInstructionLevel()
        await main(nil)
    }

    /// `SYMMETREE_INSTRUCTIONS` must name a level this CPU runs: a typo or a wider level is an
    /// error at start-up (exit 1, SageMaker's failure file for `train`), not a silent fallback.
    static func refuseUnrunnableInstructionLevel() {
        guard case .failure(let error) = InstructionLevel.requested() else { return }
        refuseToStart(error.description)
    }

    /// Says why on stderr (and in SageMaker's failure file for `train`) and exits 1.
    static func refuseToStart(_ message: String) -> Never {
        fputs("symmetree: \(message)\n", stderr)
        if CommandLine.arguments.dropFirst().first == "train" {
            try? FileIO.writeAtomically(Array((message + "\n").utf8), to: TrainCommand.defaultRoot + "/output/failure")
        }
        Glibc.exit(1)
    }

    /// This build uses x86-64-v2 instructions (Package.swift's `cpuBaseline`). On a CPU without
    /// them, say so and exit 1 (writing SageMaker's failure file for `train`) instead of dying
    /// of SIGILL somewhere in the middle.
    static func refuseUnsupportedCPU() {
        guard !CPUBaseline.requiredFeatures.isEmpty, let cpuinfo = CPUBaseline.readCPUInfo(),
            let missing = CPUBaseline.missingFeatures(cpuinfo: cpuinfo), !missing.isEmpty
        else { return }
        refuseToStart(
            "this build of symmetree needs an x86-64-v2 CPU (\(CPUBaseline.requiredFeatures.joined(separator: ", "))); "
                + "this CPU lacks \(missing.joined(separator: ", "))")
    }
}
