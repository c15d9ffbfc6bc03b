import Logging

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The process's swift-log set-up: lines to standard output (which SageMaker sends to
/// CloudWatch), at the level SYMMETREE_LOG_LEVEL names (default info). The training log in
/// CatBoost's format and the `#quality_metric` lines are printed as they are, not through it.
enum OperationalLog {
    static let levelVariable = "SYMMETREE_LOG_LEVEL"

    /// Bootstraps swift-log once and returns a logger for `label`; a bad level is an error
    /// naming the accepted ones.
    static func logger(label: String) throws(ValidationFailure) -> Logger {
        var level = Logger.Level.info
        if let text = getenv(levelVariable).map({ String(cString: $0) }), !text.isEmpty {
            guard let parsed = Logger.Level(rawValue: text.lowercased()) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationFailure(message: "\(levelVariable)=\(text): use one of \(names)")
            }
            level = parsed
        }
        let chosen = level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = chosen
            return handler
        }
        return Logger(label: label)
    }

    struct ValidationFailure: Error {
        var message: String
    }
}
