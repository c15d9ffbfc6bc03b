package struct JSONParseError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var byteOffset: Int
    package var description: String { "JSON error at byte \(byteOffset): \(message)" }
}
