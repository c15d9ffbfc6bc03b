import IOUring
import Model

/// One /invocations request on its way to the model, body still encoded: decoding is most of
/// the work for large bodies, so it happens off the I/O thread, spread over the cores.
struct InferenceJob: Sendable {
    var connection: ConnectionID
    /// Matches the reply to the request it answers (a timed-out request's late reply is dropped).
    var sequence: UInt64
    /// The model that answers it: its rows are coalesced only with rows for the same model.
    var model: ScoringModel
    var body: [UInt8]
    var inputFormat: PayloadFormat
    var outputFormat: PayloadFormat
}
