extension Array where Element: BitwiseCopyable {
    /// An array whose every element the caller writes before reading it. Skips the zero fill,
    /// which for the per-tree and per-level row arrays (megabytes each) costs as much as a
    /// third of the pass that then overwrites them.
    init(overwrittenCount count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initializedCount in initializedCount = count }
    }
}
