import Logging

extension Logger {
    /// Discards everything: the servers the tests start log nothing.
    static let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}
