#if canImport(Glibc)
import Glibc
#endif

/// A request the parser refuses, with the status to answer and why; the connection closes after.
public struct HTTPParseError: Error, Equatable, Sendable {
    public var status: Int
    public var reason: String
}
