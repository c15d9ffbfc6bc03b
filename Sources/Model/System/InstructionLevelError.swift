/// `SYMMETREE_INSTRUCTIONS` names no level, or one the machine cannot run.
public struct InstructionLevelError: Error, CustomStringConvertible {
    public let description: String
}
