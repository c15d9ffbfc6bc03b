/// The single-row layout for SSSE3 byte shuffles.
///
/// Trees go in pairs, each tree's splits in eight byte slots, so one 16-slot group holds two
/// trees. A row's quantized bytes sit in 16-byte tables (buckets 0–15, 16–31, …); per group,
/// one shuffle per table gathers every slot's byte, one signed compare against the slots'
/// thresholds gives the pass flags, and their sign bits are the two trees' leaf indexes.
/// Slot indexes name a table's lane, or have the high bit set (the shuffle then yields 0) in
/// tables that do not hold the slot's bucket. Padding slots never pass.
struct ShuffleGroups: Sendable {
    static let slotsPerTree = 8
    static let treesPerGroup = 2
    /// Each table adds a load, a shuffle and an or per pair of trees; past eight tables (128
    /// buckets) a pair would cost about what walking its passed splits does. An estimate from
    /// instruction counts, not a measurement: the benchmark model has two tables.
    static let tableCountMax = 8

    var tableCount: Int
    var groupCount: Int
    /// `groupCount × tableCount` vectors, group-major: the lane each slot reads in each table.
    var tableLanes: KernelTable<SIMD16<UInt8>>
    /// Per group, each slot's threshold as a signed byte: a block byte `count - 128` passes when
    /// greater, i.e. `threshold - 129`; padding slots hold 127, which no byte exceeds.
    var thresholds: KernelTable<SIMD16<Int8>>
    /// 16-byte tables holding one quantized byte per bucket (at least one).
    static func tableCount(bucketCount: Int) -> Int { max(1, (bucketCount + 15) / 16) }

    /// Nil when the model has no padded leaves (`PaddedLeafValues`) or the buckets need more
    /// than `tableCountMax` tables. Leaf values are read from `compiled.paddedLeaves`.
    init?(_ compiled: CompiledEnsemble) {
        guard compiled.paddedLeaves != nil else { return nil }
        tableCount = Self.tableCount(bucketCount: compiled.buckets.count)
        guard tableCount <= Self.tableCountMax else { return nil }
        groupCount = (compiled.treeCount + Self.treesPerGroup - 1) / Self.treesPerGroup
        let absent = SIMD16<UInt8>(repeating: 0x80)
        var tableLanes = [SIMD16<UInt8>](repeating: absent, count: groupCount * tableCount)
        var thresholds = [SIMD16<Int8>](repeating: SIMD16<Int8>(repeating: .max), count: groupCount)
        for tree in 0..<compiled.treeCount {
            let group = tree / Self.treesPerGroup
            for level in 0..<compiled.treeDepths[tree] {
                let split = compiled.treeSplitStarts[tree] + level
                let bucket = Int(compiled.splitBuckets[split])
                let slot = (tree % Self.treesPerGroup) * Self.slotsPerTree + level
                tableLanes[group * tableCount + bucket / 16][slot] = UInt8(bucket % 16)
                thresholds[group][slot] = Int8(Int(compiled.splitThresholds[split]) - 129)
            }
        }
        self.tableLanes = KernelTable(tableLanes)
        self.thresholds = KernelTable(thresholds)
    }
}
