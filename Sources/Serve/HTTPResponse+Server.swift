/// What the server adds to answers: a header, or the custom attributes SageMaker passed in.
extension HTTPResponse {
    func with(header: (String, String)) -> HTTPResponse {
        var copy = self
        copy.extraHeaders.append(header)
        return copy
    }

    static let customAttributesHeader = "X-Amzn-SageMaker-Custom-Attributes"
    /// The same, as the parser stores field names (lower case).
    static let customAttributesField = "x-amzn-sagemaker-custom-attributes"

    /// This answer with the request's custom attributes, when it had any. The value came in
    /// as a header field, so it holds no CR or LF to split the answer's head.
    func echoing(customAttributes: String?) -> HTTPResponse {
        guard let customAttributes else { return self }
        return with(header: (Self.customAttributesHeader, customAttributes))
    }
}
