/// Every bucket's borders as the levels of a complete binary search tree, for the AVX-512
/// quantization (`countBordersBelowAVX512`): 16 rows descend one level per step, each looking up
/// its node's border in registers, so a row's count costs one compare per level (≤ 8) where the
/// segmented layout takes a coarse count and then an eight-border compare per row.
///
/// A bucket of n borders has L levels, the fewest with 2^L - 1 ≥ n. Level k holds the 2^k
/// borders at indexes (2j + 1)·2^(L-1-k) - 1 (+inf past the last border), padded to at least 16
/// floats (one vector). Descending from node 0, a row at node j of level k moves to node
/// 2j + (value > border): after L levels its node is the number of borders strictly below the
/// value (a NaN compares false throughout, so it counts 0, as the other layouts count it).
struct BorderSearchLevels: Sendable {
    var floats: KernelTable<Float>
    /// Per bucket: where its levels start in `floats`, and how many there are.
    var starts: KernelTable<Int>
    var levelCounts: KernelTable<Int>

    /// Floats level `level` takes (its 2^level borders, padded to a vector).
    static func paddedCount(level: Int) -> Int { max(16, 1 << level) }

    /// Levels for n borders: the bit length of n.
    static func levelCount(borderCount: Int) -> Int { Int.bitWidth - borderCount.leadingZeroBitCount }

    init(_ compiled: CompiledEnsemble) {
        var floats: [Float] = []
        var starts: [Int] = []
        var levelCounts: [Int] = []
        for bucket in compiled.buckets {
            let borders = (0..<bucket.borderCount).map { compiled.bucketBorders[bucket.borderStart + $0] }
            let levels = Self.levelCount(borderCount: borders.count)
            starts.append(floats.count)
            levelCounts.append(levels)
            for level in 0..<levels {
                for node in 0..<Self.paddedCount(level: level) {
                    let index = (2 * node + 1) << (levels - 1 - level) - 1
                    floats.append(node < 1 << level && index < borders.count ? borders[index] : .infinity)
                }
            }
        }
        self.floats = KernelTable(floats)
        self.starts = KernelTable(starts)
        self.levelCounts = KernelTable(levelCounts)
    }
}
