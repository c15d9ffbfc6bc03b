/// The container API of SageMaker multi-model endpoints
/// (https://docs.aws.amazon.com/sagemaker/latest/dg/mms-container-apis.html), from a
/// request's method and path.
enum MultiModelRoute: Equatable {
    /// `POST /models` with `{"model_name": …, "url": …}`.
    case load
    /// `GET /models`, paged with `next_page_token` (and our `page_size`).
    case list
    /// `GET /models/{name}`.
    case describe(String)
    /// `DELETE /models/{name}`.
    case unload(String)
    /// `POST /models/{name}/invoke`.
    case invoke(String)
    /// A known path with the wrong method: 405 with these methods in `Allow`.
    case methodNotAllowed(allow: String)
    /// A name whose percent-encoding is malformed: 400.
    case badName(String)

    /// nil: not a path of this API.
    init?(method: String, path: String) {
        guard path == "/models" || path.hasPrefix("/models/") else { return nil }
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst(2)
        switch segments.count {
        case 0:
            switch method {
            case "POST": self = .load
            case "GET", "HEAD": self = .list
            default: self = .methodNotAllowed(allow: "GET, HEAD, POST")
            }
        case 1, 2:
            let raw = Substring(segments.first!)
            guard !raw.isEmpty, let name = PercentEncoding.decode(raw) else {
                self = .badName(String(raw))
                return
            }
            if segments.count == 2 {
                guard Substring(segments.last!) == "invoke" else { return nil }
                self = method == "POST" ? .invoke(name) : .methodNotAllowed(allow: "POST")
            } else {
                switch method {
                case "GET", "HEAD": self = .describe(name)
                case "DELETE": self = .unload(name)
                default: self = .methodNotAllowed(allow: "DELETE, GET, HEAD")
                }
            }
        default:
            return nil
        }
    }
}
