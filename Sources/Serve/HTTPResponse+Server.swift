/// What the server adds to answers.
extension HTTPResponse {
    func with(header: (String, String)) -> HTTPResponse {
        var copy = self
        copy.extraHeaders.append(header)
        return copy
    }
}
