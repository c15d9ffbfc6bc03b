/// What `Booster`'s iteration loop needs of a run, numeric (`BoostingRun`) or categorical
/// (`CategoricalBoostingRun`): one loop then logs progress, stops on SIGTERM and runs the
/// overfitting detector the same way for both.
protocol BoostingIterations {
    var options: ResolvedParameters { get }
    /// Whether the run scores an eval set (the overfitting detector needs one).
    var hasEvalSet: Bool { get }
    var treeCount: Int { get }
    var evalHistory: [Double] { get }
    var bestIteration: Int? { get }
    /// Grows one tree; returns the learn metric after it.
    mutating func step() async -> Double
}

extension BoostingRun: BoostingIterations {
    var hasEvalSet: Bool { eval != nil }
    var treeCount: Int { trees.count }
}

extension CategoricalBoostingRun: BoostingIterations {
    var hasEvalSet: Bool { eval != nil }
    var treeCount: Int { trees.count }
}
