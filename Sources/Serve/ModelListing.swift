import Model

/// The JSON bodies of the multi-model API's answers, in the field names the SageMaker guide
/// gives (`modelName`, `modelUrl`, `nextPageToken`).
enum ModelListing {
    static func description(of model: LoadedModel) -> JSONValue {
        .object([
            ("modelName", .string(model.name)),
            ("modelUrl", .string(model.url)),
            ("residentBytes", .number(Double(model.residentBytes))),
            ("trees", .number(Double(model.scoring.evaluator.treeCount))),
            ("columns", .number(Double(model.scoring.evaluator.columnCount))),
        ])
    }

    static func page(_ models: [LoadedModel], nextPageToken: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [("models", .array(models.map(description)))]
        if let nextPageToken { members.append(("nextPageToken", .string(nextPageToken))) }
        return .object(members)
    }

    static func response(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        var writer = JSONWriter()
        writer.write(value)
        return HTTPResponse(status: status, contentType: "application/json", body: writer.bytes)
    }
}
