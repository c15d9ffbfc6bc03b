/// What the server keeps per connection beside its HTTP state machine: scheduling, not HTTP.
struct ClientState {
    var http: HTTPConnection
    /// A request parsed but not answered yet, and why; `since` times a client that never
    /// reads its answers.
    var held: (request: HTTPRequest, since: UInt64, reason: HoldReason)?
    /// The loop turn in which this connection last had a request answered.
    var lastTurnAnswered: UInt64 = .max
    /// Its send buffer was set to `pipeliningSendBufferBytes`.
    var sendBufferLimited = false
}
