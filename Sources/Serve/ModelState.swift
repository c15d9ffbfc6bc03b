import Model

/// The model as the server sees it while it loads in the background.
enum ModelState: Sendable {
    case loading
    case ready(Evaluator)
    case failed(String)
}
