/// The evaluator's precomputed form of an ensemble (CatBoost's `RepackedBins`).
///
/// Only borders some split uses are kept. Each feature's used borders are cut into
/// *buckets* of at most `bucketBorderCountMax`; evaluation quantizes a value once per bucket
/// into one byte, "how many of this bucket's borders are below it", and a split on a feature's
/// used border `j` becomes the byte test `bucket[j / 254] >= j % 254 + 1`.
struct CompiledEnsemble: Sendable {
    /// CatBoost's `MAX_VALUES_PER_BIN`: a byte counts 0…254 borders, and 255 stays free as a
    /// threshold no byte reaches.
    static let bucketBorderCountMax = 254

    /// One byte column of the quantized block.
    struct Bucket: Sendable {
        var columnIndex: Int
        var nanValueTreatment: NanValueTreatment
        var borderStart: Int
        var borderCount: Int
    }

    var columnCount: Int
    var buckets: [Bucket]
    /// All buckets' borders, concatenated in bucket order.
    var bucketBorders: [Float]

    var treeCount: Int
    var treeDepths: [Int]
    /// Start of each tree's splits in `splitBuckets`/`splitThresholds`; `treeCount + 1` entries.
    var treeSplitStarts: [Int]
    /// Start of each tree's leaves in `leafValues`; `treeCount + 1` entries.
    var treeLeafStarts: [Int]
    var splitBuckets: [Int32]
    var splitThresholds: [UInt8]
    var leafValues: [Double]
    var depthMax: Int

    var scale: Double
    var bias: Double

    /// The single-row layout: trees in groups of 16, one SIMD lane per tree. For each group and
    /// level, 16 bucket numbers and 16 thresholds (a tree shallower than the level gets
    /// threshold 255, which no byte reaches); `groupLeafStarts` gives each lane's leaves.
    /// Empty when some tree is deeper than 8 or there are 256+ buckets (then rows are walked).
    var groupLevelStarts: [Int] = [0]
    var groupBuckets: [SIMD16<UInt8>] = []
    var groupThresholds: [SIMD16<UInt8>] = []
    var groupLeafStarts: [Int32] = []

    init(_ ensemble: Ensemble) {
        columnCount = ensemble.columnCount
        scale = ensemble.scale
        bias = ensemble.bias

        // Which borders of each feature some split uses, in ascending order.
        var usedBorders = [[Int]](repeating: [], count: ensemble.features.count)
        do {
            var seen = ensemble.features.map { [Bool](repeating: false, count: $0.borders.count) }
            for tree in ensemble.trees {
                for split in tree.splits where !seen[split.featureIndex][split.borderIndex] {
                    seen[split.featureIndex][split.borderIndex] = true
                }
            }
            for featureIndex in seen.indices {
                usedBorders[featureIndex] = seen[featureIndex].indices.filter { seen[featureIndex][$0] }
            }
        }

        // Buckets, and where each (feature, border) lands: (bucket, threshold).
        buckets = []
        bucketBorders = []
        var splitTarget = [[Int: (bucket: Int32, threshold: UInt8)]](repeating: [:], count: ensemble.features.count)
        for (featureIndex, feature) in ensemble.features.enumerated() {
            let used = usedBorders[featureIndex]
            var start = 0
            while start < used.count {
                let end = min(start + Self.bucketBorderCountMax, used.count)
                let bucketIndex = Int32(buckets.count)
                buckets.append(
                    Bucket(
                        columnIndex: feature.columnIndex, nanValueTreatment: feature.nanValueTreatment,
                        borderStart: bucketBorders.count, borderCount: end - start))
                for position in start..<end {
                    bucketBorders.append(feature.borders[used[position]])
                    splitTarget[featureIndex][used[position]] = (bucketIndex, UInt8(position - start + 1))
                }
                start = end
            }
        }

        treeCount = ensemble.trees.count
        treeDepths = []
        treeSplitStarts = [0]
        treeLeafStarts = [0]
        splitBuckets = []
        splitThresholds = []
        leafValues = []
        depthMax = 0
        for tree in ensemble.trees {
            treeDepths.append(tree.depth)
            depthMax = max(depthMax, tree.depth)
            for split in tree.splits {
                let target = splitTarget[split.featureIndex][split.borderIndex]!
                splitBuckets.append(target.bucket)
                splitThresholds.append(target.threshold)
            }
            leafValues.append(contentsOf: tree.leafValues)
            treeSplitStarts.append(splitBuckets.count)
            treeLeafStarts.append(leafValues.count)
        }
        if depthMax <= 8, buckets.count <= 255 { buildGroups() }
    }

    var hasTreeGroups: Bool { groupLevelStarts.count > 1 }

    private mutating func buildGroups() {
        guard treeCount > 0 else { return }
        // A padding lane reads leaf 0 of an all-zero leaf block appended at the end.
        let zeroLeaf = Int32(leafValues.count)
        leafValues.append(0)
        var groupStart = 0
        while groupStart < treeCount {
            let members = Array(groupStart..<min(groupStart + 16, treeCount))
            let depth = members.map { treeDepths[$0] }.max() ?? 0
            for level in 0..<depth {
                var bucketsOfLevel = SIMD16<UInt8>(repeating: 0)
                var thresholds = SIMD16<UInt8>(repeating: 255)
                for (lane, tree) in members.enumerated() where level < treeDepths[tree] {
                    bucketsOfLevel[lane] = UInt8(splitBuckets[treeSplitStarts[tree] + level])
                    thresholds[lane] = splitThresholds[treeSplitStarts[tree] + level]
                }
                groupBuckets.append(bucketsOfLevel)
                groupThresholds.append(thresholds)
            }
            groupLevelStarts.append(groupBuckets.count)
            for lane in 0..<16 {
                groupLeafStarts.append(lane < members.count ? Int32(treeLeafStarts[members[lane]]) : zeroLeaf)
            }
            groupStart += 16
        }
    }
}
