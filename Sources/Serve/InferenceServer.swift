#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import IOUring
import Logging
import Model

/// The SageMaker inference contract on one event loop: /ping, /invocations,
/// /execution-parameters; inline evaluation when idle, the batcher under load.
final class InferenceServer: EventLoopDelegate {
    let configuration: ServerConfiguration
    let loop: EventLoop
    let handOff: HandOff
    let model: ModelSlot
    /// Finished multi-model loads, for the I/O thread to admit and answer.
    let loads: Mailbox<ModelLoadResult>
    /// A multi-model endpoint's models (empty otherwise).
    var registry: ModelRegistry
    let ticks: AsyncStream<Void>.Continuation
    let stopRequested: Flag
    let logger: Logger
    var clients = ClientTable<ClientState>()
    let timeouts: HTTPConnection.Timeouts
    /// The actions of the event being handled; one buffer reused for every event.
    var actions: [HTTPConnection.Action] = []
    var turnJobs: [InferenceJob] = []
    var draining = false
    var drainDeadline: UInt64 = 0
    var lastSweep: UInt64 = 0
    /// Counts loop turns, for `Client.lastTurnAnswered`.
    var turn: UInt64 = 0
    /// What is left this turn of `pipelinedRequestsPerTurn`.
    var pipelinedBudget: Int
    /// Connections holding a `.yielded` request, oldest first.
    var yielded: [ConnectionID] = []

    init(
        configuration: ServerConfiguration, loop: EventLoop, handOff: HandOff, model: ModelSlot, loads: Mailbox<ModelLoadResult>,
        ticks: AsyncStream<Void>.Continuation, stopRequested: Flag, logger: Logger
    ) {
        self.configuration = configuration
        self.loop = loop
        self.handOff = handOff
        self.model = model
        self.loads = loads
        // Only a multi-model endpoint reads the cgroup limit; a single-model one holds no registry models.
        registry = ModelRegistry(
            budgetBytes: configuration.multiModel ? configuration.modelMemoryBudgetBytes ?? MemoryBudget.defaultBytes() : 0)
        self.ticks = ticks
        self.stopRequested = stopRequested
        self.logger = logger
        pipelinedBudget = configuration.pipelinedRequestsPerTurn
        timeouts = HTTPConnection.Timeouts(
            idle: Nanoseconds.saturating(seconds: configuration.idleTimeoutSeconds),
            request: Nanoseconds.saturating(seconds: configuration.requestTimeoutSeconds),
            response: Nanoseconds.saturating(seconds: configuration.modelServerTimeoutSeconds))
    }

    // MARK: - EventLoopDelegate

    func connectionOpened(_ connection: ConnectionID) {
        let now = loop.nowNanoseconds
        var http = HTTPConnection(limits: configuration.limits, timeouts: timeouts, now: now)
        if draining { http.finishAfterCurrent(peerClosed: false, at: now, into: &actions) }
        clients[connection] = ClientState(http: http)
        perform(for: connection)
    }

    func connectionReceived(_ connection: ConnectionID, _ bytes: UnsafeRawBufferPointer) {
        // Mutate in place: a copy of the client would copy its whole input buffer per read.
        let now = loop.nowNanoseconds
        let known = clients.update(connection) { client in
            client.http.received(bytes, at: now, into: &actions)
        }
        guard known else { return }
        perform(for: connection)
    }

    func connectionPeerClosed(_ connection: ConnectionID) {
        clients[connection]?.http.finishAfterCurrent(peerClosed: true, at: loop.nowNanoseconds, into: &actions)
        perform(for: connection)
    }

    func connectionClosed(_ connection: ConnectionID) {
        clients[connection] = nil
    }

    func connectionDrained(_ connection: ConnectionID) {
        guard let held = clients[connection]?.held, held.reason == .backedUp else { return }
        release(held.request, of: connection)
    }

    /// Answers a held request, and those buffered behind it while the turn's budget lasts; the
    /// connection is read again only once none is held. Reading it sooner would pile up input
    /// it cannot answer yet, and (io_uring) give the kernel receive work for it every turn.
    private func release(_ request: HTTPRequest, of connection: ConnectionID) {
        clients[connection]?.held = nil
        actions.append(.handle(request))
        perform(for: connection)
        if clients[connection]?.held == nil { loop.resumeReceiving(connection) }
    }

    /// Gives this turn's leftover budget to the connections that yielded, oldest first.
    private func resumeYielded() {
        var taken = 0
        while taken < yielded.count, pipelinedBudget > 0 {
            let connection = yielded[taken]
            taken += 1
            guard let held = clients[connection]?.held, held.reason == .yielded else { continue }
            // Already answered one this turn as far as the budget is concerned: it spends budget.
            clients[connection]?.lastTurnAnswered = turn
            release(held.request, of: connection)
        }
        yielded.removeFirst(taken)
    }

    private var acceptPauseLogged = false

    func acceptPaused(errno code: Int32) {
        guard !acceptPauseLogged else { return }
        acceptPauseLogged = true
        let reason = String(cString: strerror(code))
        logger.warning(
            "Cannot accept connections: \(reason); pausing accepts until a connection closes (raise the descriptor limit, ulimit -n, for more connections; logged once)")
    }

    func loopWoken() {
        for result in loads.collect() { completeLoad(result) }
        let now = loop.nowNanoseconds
        for reply in handOff.collect() {
            // A reply for a request that timed out (504 sent) or a closed connection is dropped.
            var queued = false
            clients.update(reply.connection) { client in
                queued = client.http.respondLate(reply.response, toRequest: reply.sequence, at: now, into: &actions)
            }
            if queued { perform(for: reply.connection) }
        }
    }

    func loopTurnEnded(nowNanoseconds now: UInt64) {
        resumeYielded()
        turn &+= 1
        pipelinedBudget = configuration.pipelinedRequestsPerTurn
        if !yielded.isEmpty { loop.requestImmediateTurn() }
        if !turnJobs.isEmpty {
            if handOff.submit(turnJobs) { ticks.yield() }
            turnJobs.removeAll(keepingCapacity: true)
        }
        if !draining, stopRequested.isSet || ShutdownSignal.wasRequested {
            beginDrain(now: now)
        }
        if now - lastSweep >= 100_000_000 {
            lastSweep = now
            sweepTimeouts(now: now)
        }
        if draining, loop.openConnectionCount == 0 || now >= drainDeadline {
            if now >= drainDeadline { logger.warning("Drain timeout: closing \(loop.openConnectionCount) connection(s)") }
            loop.stop()
        }
    }

    // MARK: - Requests

    /// Carries out `actions` (filled by the connection's last event) in order, then empties it.
    /// A request answered inline appends its response's actions behind it; a `.handle` is always
    /// the last action of a batch (parsing stops at a request until it is answered), so
    /// appending keeps the order.
    func perform(for connection: ConnectionID) {
        var index = 0
        while index < actions.count {
            let action = actions[index]
            index += 1
            switch action {
            case .send(let response, let keepAlive):
                loop.send(connection) { response.serialize(into: &$0, keepAlive: keepAlive) }
            case .sendContinue:
                loop.send(connection) { $0.appendLiteral(HTTPResponse.continueBytes) }
            case .close: loop.close(connection)
            case .closeDiscardingInput: loop.close(connection, discardingInput: true)
            case .handle(let request):
                assert(index == actions.count, "a request is the last action of its batch")
                if loop.queuedByteCount(connection) > configuration.queuedOutputBytesMax {
                    // Backpressure: stop reading and hold this request until the answers drain.
                    hold(request, of: connection, reason: .backedUp)
                    loop.notifyWhenDrained(connection)
                    continue
                }
                guard takeTurnShare(connection) else {
                    hold(request, of: connection, reason: .yielded)
                    yielded.append(connection)
                    loop.requestImmediateTurn()
                    continue
                }
                guard let response = handle(request, connection: connection) else { continue }
                clients[connection]?.http.respond(response, at: loop.nowNanoseconds, into: &actions)
            }
        }
        actions.removeAll(keepingCapacity: true)
    }

    /// Stops reading the connection and keeps its request for later.
    private func hold(_ request: HTTPRequest, of connection: ConnectionID, reason: HoldReason) {
        clients[connection]?.held = (request, loop.nowNanoseconds, reason)
        loop.pauseReceiving(connection)
        if let bytes = configuration.pipeliningSendBufferBytes, clients[connection]?.sendBufferLimited == false {
            clients[connection]?.sendBufferLimited = true
            loop.setSendBufferBytes(connection, bytes)
        }
    }

    /// Whether the connection's request may be answered this turn: its first is, further ones
    /// while `pipelinedBudget` lasts.
    private func takeTurnShare(_ connection: ConnectionID) -> Bool {
        guard clients[connection]?.lastTurnAnswered == turn else {
            clients[connection]?.lastTurnAnswered = turn
            return true
        }
        guard pipelinedBudget > 0 else { return false }
        pipelinedBudget -= 1
        return true
    }

    /// The response, or nil when the request went to the batcher (answered in `loopWoken`).
    private func handle(_ request: HTTPRequest, connection: ConnectionID) -> HTTPResponse? {
        if configuration.multiModel {
            if let route = MultiModelRoute(method: request.method, path: request.path) {
                return handle(route, request, connection: connection)
            }
            if request.path == "/invocations" {
                return .error(404, "this is a multi-model endpoint: load a model with POST /models, invoke it with POST /models/{name}/invoke")
            }
        }
        switch (request.method, request.path) {
        case ("GET", "/ping"), ("HEAD", "/ping"):
            // A multi-model endpoint is healthy with no model loaded: SageMaker loads them on demand.
            if configuration.multiModel { return HTTPResponse(status: 200, contentType: "text/plain", body: []) }
            switch model.state {
            case .ready: return HTTPResponse(status: 200, contentType: "text/plain", body: [])
            case .loading: return .error(503, "model is loading")
            case .failed(let reason): return .error(500, "model failed to load: \(reason)")
            }
        case ("GET", "/execution-parameters"), ("HEAD", "/execution-parameters"):
            let body = "{\"MaxConcurrentTransforms\":\(configuration.maxConcurrentTransforms),\"BatchStrategy\":\"MULTI_RECORD\","
                + "\"MaxPayloadInMB\":\(configuration.limits.bodyBytesMax / (1024 * 1024))}"
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(body.utf8))
        case ("POST", "/invocations"):
            guard let model = readyModel() else { return .error(503, "model is not loaded yet") }
            return invoke(request, connection: connection, model: model)
        case (_, "/ping"), (_, "/execution-parameters"):
            return HTTPResponse.error(405, "use GET").with(header: ("Allow", "GET, HEAD"))
        case (_, "/invocations"):
            return HTTPResponse.error(405, "use POST").with(header: ("Allow", "POST"))
        default:
            return .error(404, "no such resource: \(request.path) (try GET /ping or POST /invocations)")
        }
    }

    /// The single-model endpoint's model once it is ready. Kept here because the state never
    /// changes after loading: a request then neither takes the model slot's lock nor copies its state.
    private var loadedModel: ScoringModel?

    private func readyModel() -> ScoringModel? {
        if let loadedModel { return loadedModel }
        guard case .ready(let evaluator) = model.state else { return nil }
        loadedModel = ScoringModel(id: 0, evaluator: evaluator)
        return loadedModel
    }

    /// Scores an invocation with `model`: the answer, or nil when it went to the batcher.
    func invoke(_ request: HTTPRequest, connection: ConnectionID, model: ScoringModel) -> HTTPResponse? {
        let evaluator = model.evaluator
        let contentType = request.header("content-type") ?? "text/csv"
        guard let format = PayloadFormat(mediaType: contentType) else {
            return .error(415, "unsupported Content-Type \(contentType): use one of \(PayloadFormat.requestTypesList)")
        }
        guard let output = PayloadFormat.negotiate(
            accept: request.header("accept"), requestFormat: format, defaultFormat: configuration.defaultAccept)
        else {
            return .error(406, "cannot produce any of Accept: \(request.header("accept") ?? ""); offer one of \(PayloadFormat.answerTypesList)")
        }
        if request.body.count <= configuration.inlineBodyBytesMax, turnJobs.isEmpty, handOff.isIdle {
            // Idle server, small request: no thread hop.
            let decoded: (features: [Float], rowCount: Int)
            do {
                decoded = try InvocationCodec.decode(request.body, format: format, schema: evaluator.schema)
            } catch {
                return .error(error.status, error.message)
            }
            let body: [UInt8]
            if decoded.rowCount == 1 {
                // The commonest real-time request: no output array.
                body = InvocationCodec.encode(prediction: evaluator.predict(row: decoded.features), format: output)
            } else {
                body = InvocationCodec.encode(evaluator.predict(features: decoded.features, rowCount: decoded.rowCount), format: output)
            }
            return HTTPResponse(status: 200, contentType: output.rawValue, body: body)
        }
        guard let sequence = clients[connection]?.http.requestSequence else { return nil }
        turnJobs.append(
            InferenceJob(
                connection: connection, sequence: sequence, model: model, body: request.body, inputFormat: format,
                outputFormat: output))
        return nil
    }

    // MARK: - Timeouts and shutdown

    /// Each connection's own timeouts (`HTTPConnection.expire`), except that a held request
    /// is timed here: its answers unread for the idle timeout mean a client gone or hostile.
    private func sweepTimeouts(now: UInt64) {
        for connection in clients.connections {
            if let held = clients[connection]?.held {
                if held.reason == .backedUp, now - held.since > timeouts.idle { loop.abort(connection) }
                continue
            }
            clients.update(connection) { client in client.http.expire(at: now, into: &actions) }
            if !actions.isEmpty { perform(for: connection) }
        }
    }

    private func beginDrain(now: UInt64) {
        draining = true
        drainDeadline = Nanoseconds.adding(seconds: configuration.drainTimeoutSeconds, to: now)
        loop.stopAccepting()
        logger.notice("Shutting down: no new connections; finishing \(clients.count) open connection(s)")
        for connection in clients.connections {
            clients[connection]?.http.finishAfterCurrent(peerClosed: false, at: now, into: &actions)
            perform(for: connection)
        }
    }
}
