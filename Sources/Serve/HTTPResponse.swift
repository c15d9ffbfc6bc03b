/// An HTTP response, serialized with the headers every answer carries.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]
    public var extraHeaders: [(String, String)] = []
    /// The answer to a HEAD request: the headers GET would send, Content-Length included, and
    /// no body (RFC 9110 §9.3.2); a body here would be read as the next response.
    public var omitsBody = false

    public init(status: Int, contentType: String? = nil, body: [UInt8] = [], extraHeaders: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.extraHeaders = extraHeaders
    }

    /// A plain-text error whose body says what was wrong with the request.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8))
    }

    public func serialized(keepAlive: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        serialize(into: &bytes, keepAlive: keepAlive)
        return bytes
    }

    /// Appends the status line, headers and body to `bytes` (a connection's output buffer).
    /// The head is written through a pointer into scratch space and appended with the body in
    /// two copies: a dozen small appends (each a call with its own capacity check) cost more
    /// than the rest of a 1-row answer.
    public func serialize(into bytes: inout [UInt8], keepAlive: Bool) {
        let reason = Self.reasonPhrase(status)
        // The fixed text is 87 bytes, plus up to 20 digits each for the status and the length.
        var headBytesMax = 128 + reason.utf8CodeUnitCount + (contentType?.utf8.count ?? 0)
        for (name, value) in extraHeaders { headBytesMax += name.utf8.count + value.utf8.count + 4 }
        bytes.reserveCapacity(bytes.count + headBytesMax + (omitsBody ? 0 : body.count))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: headBytesMax) { scratch in
            var head = ByteWriter(scratch)
            head.write("HTTP/1.1 ")
            head.writeDecimal(status)
            head.write(" ")
            head.write(reason)
            head.write("\r\n")
            if let contentType {
                head.write("Content-Type: ")
                head.write(contentType)
                head.write("\r\n")
            }
            head.write("Content-Length: ")
            head.writeDecimal(body.count)
            head.write("\r\n")
            for (name, value) in extraHeaders {
                head.write(name)
                head.write(": ")
                head.write(value)
                head.write("\r\n")
            }
            if !keepAlive { head.write("Connection: close\r\n") }
            head.write("\r\n")
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: head.count))
        }
        if !omitsBody { bytes.append(contentsOf: body) }
    }

    /// This response as the answer to a HEAD request.
    var withoutBody: HTTPResponse {
        var copy = self
        copy.omitsBody = true
        return copy
    }

    /// The interim answer to `Expect: 100-continue`.
    static let continueBytes: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"

    public static func reasonPhrase(_ status: Int) -> StaticString {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.extraHeaders.map(\.0) == rhs.extraHeaders.map(\.0) && lhs.extraHeaders.map(\.1) == rhs.extraHeaders.map(\.1)
            && lhs.omitsBody == rhs.omitsBody
    }
}
