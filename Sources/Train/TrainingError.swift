/// Why training could not run or finish, in words for the person who launched the job: the
/// SageMaker contract writes `description` to /opt/ml/output/failure verbatim.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
