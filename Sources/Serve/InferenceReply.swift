import IOUring

/// The answer to an `InferenceJob`, posted back to the I/O thread.
struct InferenceReply: Sendable {
    var connection: ConnectionID
    var sequence: UInt64
    var response: HTTPResponse
}
