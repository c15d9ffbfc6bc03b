/// One client connection's HTTP state as a value: bytes, responses, the clock and drain in;
/// actions out; no sockets.
///
/// Requests are handled one at a time in arrival order: while one is being answered
/// (`isAwaitingResponse`), later pipelined bytes are kept and parsed only after its response is
/// queued, so responses always leave in request order. Every input carries the time (monotonic
/// nanoseconds) and `expire(at:)` applies the three timeouts, so the whole life of a connection,
/// timeouts included, is tested by feeding it bytes and instants (the shape of Hummingbird's
/// `HTTPConnectionStateHandler.StateMachine`, which takes its clock as a parameter).
public struct HTTPConnection: Sendable {
    public enum Action: Equatable, Sendable {
        /// Queue this response, saying `Connection: close` unless `keepAlive`.
        case send(HTTPResponse, keepAlive: Bool)
        /// Queue `100 Continue` (the client waits for it before sending the body).
        case sendContinue
        /// Answer this request, then call `respond` (at once) or `respondLate` (later).
        case handle(HTTPRequest)
        /// Close once everything queued is sent.
        case close
        /// Close once everything queued is sent, after reading and discarding for a while what
        /// the client may still be sending (the body of a refused request): closing with input
        /// unread resets the connection, and the reset makes the client's kernel drop the
        /// refusal unread.
        case closeDiscardingInput
    }

    /// How long each phase may last, in nanoseconds.
    public struct Timeouts: Sendable, Equatable {
        /// A keep-alive connection with no request in progress is closed after this.
        public var idle: UInt64
        /// A request must arrive whole within this, counted from its first byte (a client
        /// sending a byte a second must not hold a request open forever): 408 after.
        public var request: UInt64
        /// A request handed out must be answered within this: 504 after, and the late answer
        /// is dropped.
        public var response: UInt64

        public init(idle: UInt64 = 65_000_000_000, request: UInt64 = 30_000_000_000, response: UInt64 = 60_000_000_000) {
            self.idle = idle
            self.request = request
            self.response = response
        }
    }

    /// SageMaker passes the caller's custom attributes through; echoed on the answer (whoever
    /// writes it: the server, or a timeout), the caller sees which request it belongs to.
    static let echoedField = "x-amzn-sagemaker-custom-attributes"
    static let echoedHeader = "X-Amzn-SageMaker-Custom-Attributes"

    public private(set) var parser: HTTPRequestParser
    public let timeouts: Timeouts
    private var input: [UInt8] = []
    public private(set) var isAwaitingResponse = false
    /// Counts the requests handed out; a late answer names the one it is for.
    public private(set) var requestSequence: UInt64 = 0
    private var currentKeepAlive = true
    /// The request being answered is a HEAD: its response goes out without a body.
    private var currentIsHead = false
    /// The custom attributes of the request being answered, for its response.
    private var currentEcho: String?
    public private(set) var isClosing = false
    /// Answer what is in progress, then close (server draining or peer half-closed).
    public private(set) var closeWhenIdle = false
    /// The peer sent EOF: an incomplete request can never complete.
    private var peerClosed = false
    /// When the last byte arrived or the last response was queued (the idle timeout).
    private var lastActivity: UInt64
    /// When the first byte of the request now arriving came (the request timeout).
    private var requestStartedAt: UInt64?
    /// When the request being answered was handed out (the response timeout).
    private var awaitingSince: UInt64 = 0
    /// Input beyond this (pipelined while a request is answered) closes the connection.
    let bufferedBytesMax: Int

    public init(limits: HTTPLimits = HTTPLimits(), timeouts: Timeouts = Timeouts(), now: UInt64 = 0) {
        parser = HTTPRequestParser(limits: limits)
        self.timeouts = timeouts
        bufferedBytesMax = limits.bodyBytesMax + limits.headerBytesMax + 64 * 1024
        lastActivity = now
    }

    /// True when a request has started but not fully arrived (slow-client timeouts apply).
    public var isMidRequest: Bool { !isAwaitingResponse && (parser.isMidRequest || !input.isEmpty) }

    /// True when nothing is in progress: a keep-alive connection waiting for its next request.
    public var isIdle: Bool { !isAwaitingResponse && !parser.isMidRequest && input.isEmpty }

    // Each event appends its actions to a caller-owned array, so a server can reuse one buffer
    // for every connection instead of allocating (and concatenating) arrays per request; the
    // array-returning forms below are for tests and simple callers.

    public mutating func received(_ bytes: UnsafeRawBufferPointer, at now: UInt64, into actions: inout [Action]) {
        guard !isClosing else { return }
        lastActivity = now
        if requestStartedAt == nil, !isAwaitingResponse { requestStartedAt = now }
        input.append(contentsOf: bytes)
        if isAwaitingResponse {
            if input.count > bufferedBytesMax { fail(HTTPParseError(status: 413, reason: "too much pipelined input"), into: &actions) }
            return
        }
        parse(at: now, into: &actions)
    }

    /// Queues the response to the request last handed out and resumes parsing.
    public mutating func respond(_ response: HTTPResponse, at now: UInt64, into actions: inout [Action]) {
        precondition(isAwaitingResponse, "respond without a request")
        isAwaitingResponse = false
        lastActivity = now
        var response = currentIsHead ? response.withoutBody : response
        if let currentEcho {
            response.extraHeaders.append((Self.echoedHeader, currentEcho))
            self.currentEcho = nil
        }
        guard currentKeepAlive else {
            isClosing = true
            actions.append(.send(response, keepAlive: false))
            actions.append(.close)
            return
        }
        // Pipelined bytes already here start the next request's clock now.
        if !input.isEmpty { requestStartedAt = now }
        // Parse what is buffered first: when closing after this, the last response must say so.
        let sendIndex = actions.count
        actions.append(.close)  // a placeholder, replaced below
        parse(at: now, into: &actions)
        var closesRightAfter = false
        // A pattern, not `==`: comparing actions copies their payloads.
        if actions.count == sendIndex + 2, case .close = actions[sendIndex + 1] { closesRightAfter = true }
        actions[sendIndex] = .send(response, keepAlive: !closesRightAfter)
    }

    /// An answer that comes after the request was handed out (from another thread): queued if
    /// its request is still the one awaited, dropped (false) if a timeout answered it already.
    @discardableResult
    public mutating func respondLate(
        _ response: HTTPResponse, toRequest sequence: UInt64, at now: UInt64, into actions: inout [Action]
    ) -> Bool {
        guard isAwaitingResponse, sequence == requestSequence, !isClosing else { return false }
        respond(response, at: now, into: &actions)
        return true
    }

    /// The server is draining (`peerClosed` false: a request still arriving is completed and
    /// answered) or the peer half-closed (`peerClosed` true: only complete requests are answered);
    /// either way the connection closes after that.
    public mutating func finishAfterCurrent(peerClosed: Bool, at now: UInt64, into actions: inout [Action]) {
        closeWhenIdle = true
        if peerClosed { self.peerClosed = true }
        guard !isClosing, !isAwaitingResponse else { return }
        parse(at: now, into: &actions)
    }

    /// Applies the timeouts at `now`: an answer awaited too long gets 504, a request arriving
    /// too slowly 408 (both then close or go on as their keep-alive says), an idle connection
    /// is closed.
    public mutating func expire(at now: UInt64, into actions: inout [Action]) {
        guard !isClosing else { return }
        if isAwaitingResponse {
            guard now &- awaitingSince > timeouts.response else { return }
            let seconds = Double(timeouts.response) / 1e9
            respond(HTTPResponse.error(504, "the model did not answer within \(seconds) s"), at: now, into: &actions)
        } else if isMidRequest {
            guard now &- (requestStartedAt ?? lastActivity) > timeouts.request else { return }
            fail(HTTPParseError(status: 408, reason: "request not completed in time"), into: &actions)
        } else if now &- lastActivity > timeouts.idle {
            isClosing = true
            actions.append(.close)
        }
    }

    public mutating func received(_ bytes: UnsafeRawBufferPointer, at now: UInt64 = 0) -> [Action] {
        var actions: [Action] = []
        received(bytes, at: now, into: &actions)
        return actions
    }

    public mutating func respond(_ response: HTTPResponse, at now: UInt64 = 0) -> [Action] {
        var actions: [Action] = []
        respond(response, at: now, into: &actions)
        return actions
    }

    public mutating func finishAfterCurrent(peerClosed: Bool, at now: UInt64 = 0) -> [Action] {
        var actions: [Action] = []
        finishAfterCurrent(peerClosed: peerClosed, at: now, into: &actions)
        return actions
    }

    public mutating func expire(at now: UInt64) -> [Action] {
        var actions: [Action] = []
        expire(at: now, into: &actions)
        return actions
    }

    private mutating func parse(at now: UInt64, into actions: inout [Action]) {
        while !isClosing, !isAwaitingResponse {
            switch parser.next(&input) {
            case .needMore:
                if input.isEmpty, !parser.isMidRequest { requestStartedAt = nil }
                if closeWhenIdle, peerClosed || !parser.isMidRequest && input.isEmpty {
                    isClosing = true
                    actions.append(.close)
                }
                return
            case .sendContinue:
                actions.append(.sendContinue)
            case .request(let request):
                isAwaitingResponse = true
                requestSequence &+= 1
                awaitingSince = now
                requestStartedAt = nil
                currentKeepAlive = request.keepAlive
                currentIsHead = request.method == "HEAD"
                currentEcho = request.header(Self.echoedField)
                actions.append(.handle(request))
            case .failure(let error):
                return fail(error, into: &actions)
            }
        }
    }

    private mutating func fail(_ error: HTTPParseError, into actions: inout [Action]) {
        isClosing = true
        input.removeAll()
        actions.append(.send(HTTPResponse.error(error.status, error.reason), keepAlive: false))
        actions.append(.closeDiscardingInput)
    }
}
