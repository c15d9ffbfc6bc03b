/// The evaluator's precomputed form of an ensemble (CatBoost's `RepackedBins`).
///
/// Only borders some split uses are kept. Each feature's used borders are cut into
/// *buckets* of at most `bucketBorderCountMax`; evaluation quantizes a value once per bucket
/// into one byte, "how many of this bucket's borders are below it", and a split on a feature's
/// used border `j` becomes the byte test `bucket[j / 254] >= j % 254 + 1`.
///
/// A bucket's borders are stored in *segments* of eight, padded with +inf to one more segment
/// than it fills, and the last border of every full segment is also kept as a *coarse* border.
/// Counting the borders below a value is then a count over the coarse borders, which names the
/// segment the value falls in, plus one eight-lane compare in that segment. (+inf pads are
/// never below a value, NaN included, so they never count.)
struct CompiledEnsemble: Sendable {
    /// CatBoost's `MAX_VALUES_PER_BIN`: a byte counts 0…254 borders, and 255 stays free as a
    /// threshold no byte reaches.
    static let bucketBorderCountMax = 254
    static let segmentBorderCount = 8

    /// One byte column of the quantized block.
    struct Bucket: Sendable {
        var columnIndex: Int
        var nanValueTreatment: NanValueTreatment
        /// Start of the bucket's segments in `bucketBorders`.
        var borderStart: Int
        var borderCount: Int
        /// Start of the bucket's coarse borders in `coarseBorders`.
        var coarseStart: Int
        /// One per full segment: the number of segments a value is above.
        var coarseCount: Int
        /// `coarseCount` rounded up to a whole segment; the pads are +inf. Stored, not computed:
        /// the single-row path reads it for every bucket of every row.
        var paddedCoarseCount: Int

        init(columnIndex: Int, nanValueTreatment: NanValueTreatment, borderStart: Int, borderCount: Int, coarseStart: Int) {
            self.columnIndex = columnIndex
            self.nanValueTreatment = nanValueTreatment
            self.borderStart = borderStart
            self.borderCount = borderCount
            self.coarseStart = coarseStart
            let segment = CompiledEnsemble.segmentBorderCount
            coarseCount = borderCount / segment
            paddedCoarseCount = (coarseCount + segment - 1) / segment * segment
        }
    }

    var columnCount: Int
    var buckets: KernelTable<Bucket>
    /// All buckets' borders in segments of eight, concatenated in bucket order.
    var bucketBorders: KernelTable<Float>
    /// Every bucket's coarse borders, padded to a multiple of eight.
    var coarseBorders: KernelTable<Float>

    var treeCount: Int
    var treeDepths: KernelTable<Int>
    /// Start of each tree's splits in `splitBuckets`/`splitThresholds`; `treeCount + 1` entries.
    var treeSplitStarts: KernelTable<Int>
    /// Start of each tree's leaves in `leafValues`; `treeCount + 1` entries.
    var treeLeafStarts: KernelTable<Int>
    var splitBuckets: KernelTable<Int32>
    var splitThresholds: KernelTable<UInt8>
    var leafValues: KernelTable<Double>
    var depthMax: Int

    var scale: Double
    var bias: Double

    /// The single-row layout: every split, listed per bucket in ascending threshold order, as
    /// `tree << 32 | 1 << level`. A row whose byte for the bucket is q passes exactly the splits
    /// with threshold ≤ q, a prefix of the bucket's list, and each passed split sets its level's
    /// bit in its tree's leaf index; no split that fails is ever touched.
    var splitsByBucket = KernelTable<UInt64>([])
    /// Per bucket and byte value q (0…borderCount), where the prefix passed at q ends in
    /// `splitsByBucket`; a bucket's entries start at `passedEndStarts[bucket]`. Thresholds are
    /// at least 1, so the entry for q = 0 is where the bucket's list starts.
    var passedEnds = KernelTable<Int32>([])
    var passedEndStarts = KernelTable<Int>([])

    /// Leaf values at one stride per tree, for the byte shuffles and the wide tree passes, when
    /// the model fits them (`PaddedLeafValues.init`).
    var paddedLeaves: PaddedLeafValues?
    /// The single-row layout for byte shuffles, when the model fits it (`ShuffleGroups.init`).
    var shuffleGroups: ShuffleGroups?
    /// The buckets' borders as binary search levels, for the AVX-512 quantization; built only
    /// when compiled for it.
    var searchLevels: BorderSearchLevels?

    /// Pointers into the tables above, for the kernels (`withUnsafeHandle`).
    private(set) var handle = UnsafeHandle()

    /// - Precondition: a numeric model (categorical ones compile `CategoricalTransform.numericEnsemble`).
    /// - Parameter instructionLevel: the level the batch kernels will run at (AVX-512 quantizes
    ///   through `searchLevels`).
    init(_ ensemble: Ensemble, instructionLevel: InstructionLevel = .baseline) {
        precondition(ensemble.splitFeatureCount == ensemble.features.count, "compile the numeric form of a categorical model")
        columnCount = ensemble.columnCount
        scale = ensemble.scale
        bias = ensemble.bias

        let usedBorders = ensemble.usedBorderIndexes

        // Buckets, and where each (feature, border) lands: (bucket, threshold).
        var buckets: [Bucket] = []
        var bucketBorders: [Float] = []
        var coarseBorders: [Float] = []
        var splitTarget = [[Int: (bucket: Int32, threshold: UInt8)]](repeating: [:], count: ensemble.features.count)
        for (featureIndex, feature) in ensemble.features.enumerated() {
            let used = usedBorders[featureIndex]
            var start = 0
            while start < used.count {
                let end = min(start + Self.bucketBorderCountMax, used.count)
                let bucketIndex = Int32(buckets.count)
                let bucket = Bucket(
                    columnIndex: feature.columnIndex, nanValueTreatment: feature.nanValueTreatment,
                    borderStart: bucketBorders.count, borderCount: end - start, coarseStart: coarseBorders.count)
                buckets.append(bucket)
                for position in start..<end {
                    bucketBorders.append(feature.borders[used[position]])
                    splitTarget[featureIndex][used[position]] = (bucketIndex, UInt8(position - start + 1))
                }
                let segmentCount = bucket.coarseCount + 1
                bucketBorders.append(
                    contentsOf: repeatElement(.infinity, count: segmentCount * Self.segmentBorderCount - bucket.borderCount))
                for segment in 0..<bucket.coarseCount {
                    let segmentLast = bucket.borderStart + (segment + 1) * Self.segmentBorderCount - 1
                    coarseBorders.append(bucketBorders[segmentLast])
                }
                coarseBorders.append(
                    contentsOf: repeatElement(.infinity, count: bucket.paddedCoarseCount - bucket.coarseCount))
                start = end
            }
        }

        self.buckets = KernelTable(buckets)
        self.bucketBorders = KernelTable(bucketBorders)
        self.coarseBorders = KernelTable(coarseBorders)

        treeCount = ensemble.trees.count
        var treeDepths: [Int] = []
        var treeSplitStarts = [0]
        var treeLeafStarts = [0]
        var splitBuckets: [Int32] = []
        var splitThresholds: [UInt8] = []
        var leafValues: [Double] = []
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
        self.treeDepths = KernelTable(treeDepths)
        self.treeSplitStarts = KernelTable(treeSplitStarts)
        self.treeLeafStarts = KernelTable(treeLeafStarts)
        self.splitBuckets = KernelTable(splitBuckets)
        self.splitThresholds = KernelTable(splitThresholds)
        self.leafValues = KernelTable(leafValues)
        buildSplitLists()
        paddedLeaves = PaddedLeafValues(self)
        shuffleGroups = ShuffleGroups(self)
        if instructionLevel >= .avx512 { searchLevels = BorderSearchLevels(self) }
        handle = UnsafeHandle(self)
    }

    private mutating func buildSplitLists() {
        precondition(depthMax <= 16, "a leaf index has 16 bits")
        var lists = [[(threshold: UInt8, entry: UInt64)]](repeating: [], count: buckets.count)
        for tree in 0..<treeCount {
            for level in 0..<treeDepths[tree] {
                let split = treeSplitStarts[tree] + level
                lists[Int(splitBuckets[split])].append((splitThresholds[split], UInt64(tree) << 32 | UInt64(1) << level))
            }
        }
        var splitsByBucket: [UInt64] = []
        var passedEnds: [Int32] = []
        var passedEndStarts: [Int] = []
        for (bucket, list) in lists.enumerated() {
            let sorted = list.sorted { ($0.threshold, $0.entry) < ($1.threshold, $1.entry) }
            let start = splitsByBucket.count
            splitsByBucket.append(contentsOf: sorted.map(\.entry))
            passedEndStarts.append(passedEnds.count)
            var position = 0
            for byte in 0...buckets[bucket].borderCount {
                while position < sorted.count, Int(sorted[position].threshold) <= byte { position += 1 }
                passedEnds.append(Int32(start + position))
            }
        }
        self.splitsByBucket = KernelTable(splitsByBucket)
        self.passedEnds = KernelTable(passedEnds)
        self.passedEndStarts = KernelTable(passedEndStarts)
    }
}
