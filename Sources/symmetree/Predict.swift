import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a headerless numeric CSV (no label column), one prediction per output line.")

    @Option(help: "Model file: Symmetree, CatBoost .cbm or CatBoost JSON.")
    var model: String

    @Option(help: "Input CSV, or - for standard input.")
    var input: String = "-"

    @Option(help: "Output file, or - for standard output.")
    var output: String = "-"

    func run() throws {
        let evaluator: Evaluator
        do {
            evaluator = Evaluator(try ModelLoader.load(path: model))
        } catch {
            throw fail(error.description)
        }
        let inputFD = input == "-" ? STDIN_FILENO : open(input, O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else { throw fail("cannot open \(input): \(String(cString: strerror(errno)))") }
        defer { if inputFD != STDIN_FILENO { close(inputFD) } }
        // Opening the output truncates it: refuse before that if it is the input or the model,
        // by device and inode, so another path or a link to the same file is caught too.
        if output != "-" {
            if FileIO.isSameRegularFile(output, fd: inputFD) {
                throw fail("--output \(output) is the input file \(input == "-" ? "(standard input)" : input); refusing to overwrite it")
            }
            if FileIO.isSameRegularFile(output, model) {
                throw fail("--output \(output) is the model file \(model); refusing to overwrite it")
            }
        }
        let outputFD = output == "-" ? STDOUT_FILENO : open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard outputFD >= 0 else { throw fail("cannot create \(output): \(String(cString: strerror(errno)))") }
        defer { if outputFD != STDOUT_FILENO { close(outputFD) } }
        do {
            _ = try BatchScoring.score(evaluator: evaluator, inputFD: inputFD, outputFD: outputFD)
        } catch {
            throw fail("\(input == "-" ? "stdin" : input): \(error.description)")
        }
    }
}
