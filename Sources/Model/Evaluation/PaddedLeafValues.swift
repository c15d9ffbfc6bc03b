/// Every tree's leaf values at one power-of-two stride: tree t's leaf i is at
/// `t << strideShift + i`, so kernels need no per-tree start, and a tree's whole stride is
/// readable (the AVX-512 tree pass loads eight leaves of trees with fewer).
struct PaddedLeafValues: Sendable {
    var values: KernelTable<Double>
    var strideShift: Int

    /// The smallest stride: eight leaves, one 64-byte vector.
    static let strideShiftMin = 3

    /// Nil when a tree is deeper than 8 levels or padding would more than quadruple the
    /// leaves (trees of very mixed depth).
    init?(_ compiled: CompiledEnsemble) {
        guard compiled.depthMax <= 8 else { return nil }
        strideShift = max(compiled.depthMax, Self.strideShiftMin)
        guard compiled.treeCount << strideShift <= 4 * compiled.leafValues.count else { return nil }
        var values = [Double](repeating: 0, count: max(compiled.treeCount << strideShift, 1))
        for tree in 0..<compiled.treeCount {
            let start = compiled.treeLeafStarts[tree]
            for leaf in 0..<(compiled.treeLeafStarts[tree + 1] - start) {
                values[tree << strideShift + leaf] = compiled.leafValues[start + leaf]
            }
        }
        self.values = KernelTable(values)
    }
}
