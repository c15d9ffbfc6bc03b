/// Everything that can go wrong while reading, validating or writing a model.
///
/// Each case carries enough context for a human to fix the input without reading our code:
/// which file, which field, which tree.
public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    static func invalid(_ what: String) -> ModelError {
        ModelError("invalid model: \(what)")
    }

    static func unsupported(_ what: String) -> ModelError {
        ModelError("not yet supported: \(what)")
    }
}
