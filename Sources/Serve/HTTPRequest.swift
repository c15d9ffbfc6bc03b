#if canImport(Glibc)
import Glibc
#endif

/// One parsed HTTP/1.x request. A class, and immutable: a request is handed from the parser to
/// the connection's actions to the server, and a struct of three Strings and two arrays cost a
/// retain and a release of each at every step.
public final class HTTPRequest: Sendable, Equatable {
    public let method: String
    public let target: String
    /// The target without its query, computed once by the parser.
    public let path: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public let minorVersion: Int
    /// Header names lower-cased, in arrival order.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    public let keepAlive: Bool

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    public convenience init(method: String, target: String, minorVersion: Int, headers: [(name: String, value: String)], body: [UInt8], keepAlive: Bool) {
        let path = String(target[..<(target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)])
        self.init(method: method, target: target, path: path, minorVersion: minorVersion, headers: headers, body: body, keepAlive: keepAlive)
    }

    /// For the parser, which found the query while validating the target.
    init(method: String, target: String, path: String, minorVersion: Int, headers: [(name: String, value: String)], body: [UInt8], keepAlive: Bool) {
        self.method = method
        self.target = target
        self.path = path
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.minorVersion == rhs.minorVersion
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
            && lhs.body == rhs.body && lhs.keepAlive == rhs.keepAlive
    }
}
