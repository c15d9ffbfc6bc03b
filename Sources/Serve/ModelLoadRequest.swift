import Model

/// The body of a multi-model endpoint's `POST /models`: `{"model_name": …, "url": …}`, where
/// the url is the folder SageMaker unpacked the model's archive into.
struct ModelLoadRequest: Equatable {
    var name: String
    var url: String

    init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    /// Parses the body; the error is the 400 answer's reason.
    init(body: [UInt8]) throws(InvocationError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw .badRequest("POST /models: the body is not JSON (\(error)); send {\"model_name\": …, \"url\": …}")
        }
        guard case .object = json else { throw .badRequest("POST /models: send a JSON object {\"model_name\": …, \"url\": …}") }
        guard case .string(let name)? = json["model_name"], !name.isEmpty else {
            throw .badRequest("POST /models: \"model_name\" must be a non-empty string")
        }
        guard case .string(let url)? = json["url"], !url.isEmpty else {
            throw .badRequest("POST /models: \"url\" must be a non-empty string (the folder holding the model)")
        }
        guard !name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .badRequest("POST /models: \"model_name\" holds control characters")
        }
        self.init(name: name, url: url)
    }
}
