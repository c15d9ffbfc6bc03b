#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A row of a headerless numeric CSV that could not be read, located for a human.
public struct CSVError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based line number in the input.
    public var line: Int
    /// 1-based column, or nil when the whole row is wrong (its column count).
    public var column: Int?
    public var message: String

    package init(line: Int, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { return "line \(line), column \(column): \(message)" }
        return "line \(line): \(message)"
    }
}
