#if canImport(Glibc)
@preconcurrency import Glibc
#endif

public struct ServeError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
