/// A model a multi-model endpoint holds: what SageMaker named it, where it was loaded from,
/// and what it costs in memory.
struct LoadedModel: Sendable {
    let name: String
    let url: String
    let scoring: ScoringModel
    let residentBytes: Int
}
