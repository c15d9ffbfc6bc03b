/// A request body that cannot be scored, with the status and a message naming the row/column.
public struct InvocationError: Error, Equatable, Sendable {
    public var status: Int
    public var message: String

    static func badRequest(_ message: String) -> InvocationError { InvocationError(status: 400, message: message) }
}
