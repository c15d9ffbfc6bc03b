/// Why training could not run or finish, in words for the person who launched the job: the
/// SageMaker contract writes `description` to /opt/ml/output/failure verbatim.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    /// Every rank of a multi-host job holds this same error (`Communicator.agree`), so every
    /// rank can stop without leaving another waiting in a collective.
    var isAgreedByEveryRank = false

    public init(_ description: String) {
        self.description = description
    }
}
