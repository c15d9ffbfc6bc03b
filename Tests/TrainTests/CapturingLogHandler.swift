import Logging
import Synchronization

/// A swift-log handler that keeps every message, for tests that check what was logged.
struct CapturingLogHandler: LogHandler {
    let messages: LockedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        messages.append("\(event.level) \(event.message)")
    }
}

extension Logger {
    /// Discards everything: for tests that do not look at the log.
    static let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func capturing(into lines: LockedLines) -> Logger {
        Logger(label: "test", factory: { _ in CapturingLogHandler(messages: lines) })
    }
}
