#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Why the loop could not be set up (the only errors it throws; everything after set-up is a
/// per-connection outcome or, for what can only be a bug, a precondition failure).
public struct EventLoopError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }

    static func errno(_ what: String, _ code: Int32 = Glibc.errno) -> EventLoopError {
        EventLoopError("\(what): \(String(cString: strerror(code)))")
    }
}
