import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a model: trees, features, borders, bias.")

    @Option(help: "Model file: Symmetree, CatBoost .cbm or CatBoost JSON.")
    var model: String

    func run() throws {
        do {
            let bytes = try FileIO.readAll(path: model)
            let ensemble = try ModelLoader.load(path: model)
            print("format: \(ModelFormat.detect(bytes)?.rawValue ?? "unknown")")
            print(ensemble.summary)
        } catch {
            throw fail(error.description)
        }
    }
}
