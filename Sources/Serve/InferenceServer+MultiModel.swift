import IOUring
import Logging
import Model

/// The multi-model endpoint API (https://docs.aws.amazon.com/sagemaker/latest/dg/mms-container-apis.html).
/// Lookups and the registry live on the I/O thread; a load reads and compiles the model on
/// another thread and is admitted when it is posted back, so no request waits for a load.
extension InferenceServer {
    /// The answer, or nil when it comes later (a load, or an invocation at the batcher).
    func handle(_ route: MultiModelRoute, _ request: HTTPRequest, connection: ConnectionID) -> HTTPResponse? {
        switch route {
        case .load:
            return startLoad(request, connection: connection)
        case .list:
            return listModels(request)
        case .describe(let name):
            guard let model = registry.models[name] else { return notLoaded(name) }
            return ModelListing.response(ModelListing.description(of: model))
        case .unload(let name):
            guard let model = registry.unload(name) else { return notLoaded(name) }
            logger.info("Unloaded model \(name) (\(model.residentBytes) bytes; \(registry.models.count) loaded)")
            return ModelListing.response(.object([("status", .string("Model \"\(name)\" unloaded"))]))
        case .invoke(let name):
            guard let model = registry.models[name] else { return notLoaded(name) }
            return invoke(request, connection: connection, model: model.scoring)
        case .methodNotAllowed(let allow):
            return HTTPResponse.error(405, "use \(allow)").with(header: ("Allow", allow))
        case .badName(let raw):
            return .error(400, "malformed model name in the path: \(raw) (percent-encode it as RFC 3986 says)")
        }
    }

    private func notLoaded(_ name: String) -> HTTPResponse {
        .error(404, "model \(name) is not loaded (load it with POST /models)")
    }

    /// Reserves the name and starts the load off the I/O thread; 409 and 507 come at once.
    private func startLoad(_ request: HTTPRequest, connection: ConnectionID) -> HTTPResponse? {
        let load: ModelLoadRequest
        do throws(InvocationError) {
            load = try ModelLoadRequest(body: request.body)
        } catch {
            return .error(error.status, error.message)
        }
        switch registry.reserve(load.name) {
        case .reserved: break
        case .alreadyLoaded: return .error(409, "model \(load.name) is already loaded (DELETE it first to load it again)")
        case .alreadyLoading: return .error(409, "model \(load.name) is being loaded")
        case .budgetExhausted:
            return .error(507, "no memory for another model: \(registry.models.count) models hold \(registry.residentBytes) bytes "
                + "of the \(registry.budgetBytes)-byte budget (SYMMETREE_MODEL_MEMORY_BUDGET_MB); unload one")
        }
        guard let sequence = clients[connection]?.http.requestSequence else { return nil }
        let (loads, waker) = (loads, loop.waker)
        Task.detached {
            let start = MonotonicClock.seconds
            let outcome = ModelLoadResult.load(load)
            let result = ModelLoadResult(
                connection: connection, sequence: sequence, request: load, outcome: outcome, seconds: MonotonicClock.seconds - start)
            if loads.post(result) { waker.wake() }
        }
        return nil
    }

    /// Admits (or refuses) a finished load, then answers its request if it still waits.
    func completeLoad(_ result: ModelLoadResult) {
        let name = result.request.name
        let response: HTTPResponse
        switch result.outcome {
        case .failure(let error):
            registry.abandon(name)
            logger.error("Model \(name) failed to load: \(error.description)")
            response = .error(400, "cannot load model \(name) from \(result.request.url): \(error.description)")
        case .success(let evaluator):
            switch registry.admit(name, url: result.request.url, evaluator: evaluator) {
            case .admitted(let model):
                let milliseconds = (result.seconds * 1e6).rounded() / 1000
                logger.info(
                    "Loaded model \(name) from \(model.url) in \(milliseconds) ms: \(evaluator.treeCount) trees, \(model.residentBytes) bytes; \(registry.models.count) loaded")
                response = ModelListing.response(.object([("status", .string("Model \"\(name)\" loaded"))]))
            case .overBudget(let needed, let free):
                logger.warning("Model \(name) refused: needs \(needed) bytes, \(free) left of the budget")
                response = .error(507, "no memory for model \(name): it needs \(needed) bytes and \(free) of the "
                    + "\(registry.budgetBytes)-byte budget are left (SYMMETREE_MODEL_MEMORY_BUDGET_MB); unload a model")
            }
        }
        var queued = false
        clients.update(result.connection) { client in
            queued = client.http.respondLate(response, toRequest: result.sequence, at: loop.nowNanoseconds, into: &actions)
        }
        if queued { perform(for: result.connection) }
    }

    /// `GET /models?next_page_token=…&page_size=…`: SageMaker passes back the `nextPageToken`
    /// of the last page until an answer has none.
    private func listModels(_ request: HTTPRequest) -> HTTPResponse {
        var token: String?
        var pageSize = configuration.modelListPageSize
        let query = request.target.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentEncoding.decode(parts[0], plusIsSpace: true),
                let value = PercentEncoding.decode(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
            else { return .error(400, "malformed query: \(query)") }
            switch key {
            case "next_page_token": token = value.isEmpty ? nil : value
            case "page_size", "limit":
                guard let size = Int(value), size > 0, size <= 10_000 else {
                    return .error(400, "\(key)=\(value): use a whole number in 1…10000")
                }
                pageSize = size
            default: continue
            }
        }
        let page = registry.page(after: token, limit: pageSize)
        return ModelListing.response(ModelListing.page(page.models, nextPageToken: page.continueAfter))
    }
}
