import IOUring
import Model

/// A multi-model endpoint's background load, done: posted to the I/O thread, which admits the
/// model (or refuses it for memory) and answers the `POST /models` that asked for it.
struct ModelLoadResult: Sendable {
    var connection: ConnectionID
    var sequence: UInt64
    var request: ModelLoadRequest
    var outcome: Result<Evaluator, ServeError>
    /// How long finding, reading and compiling took.
    var seconds: Double

    /// Finds and loads the model at a load request's url: a folder searched as /opt/ml/model is
    /// (`ModelLocator`), or a model file named directly.
    static func load(_ request: ModelLoadRequest) -> Result<Evaluator, ServeError> {
        do throws(ServeError) {
            let path = try ModelLocator.find(at: request.url)
            do {
                return .success(Evaluator(try ModelLoader.load(path: path)))
            } catch {
                throw ServeError("cannot load the model: \(error.description)")
            }
        } catch {
            return .failure(error)
        }
    }
}
