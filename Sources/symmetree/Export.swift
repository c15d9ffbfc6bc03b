import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model: to CatBoost JSON (which CatBoost loads) or to Symmetree's format.")

    @Option(help: "Model file: Symmetree, CatBoost .cbm or CatBoost JSON.")
    var model: String

    @Option(help: "Where to write the converted model.")
    var output: String

    @Option(help: "json (CatBoost JSON) or symmetree.")
    var format: String = "json"

    func run() throws {
        guard let target = ModelFormat(rawValue: format), target != .catBoostBinary else {
            throw fail("--format must be json or symmetree")
        }
        do {
            try ModelLoader.save(try ModelLoader.load(path: model), to: output, format: target)
        } catch {
            throw fail(error.description)
        }
    }
}
