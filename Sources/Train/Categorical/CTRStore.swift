import Model

/// The CTR values training reads: every projection's dense ids (shared by all folds) and, per
/// fold, its ordered CTR buckets (row-major, `CTRLayout.width` per row). Single-feature
/// projections are kept for the whole run; combinations are kept for the `combinationCountMax`
/// most recently used (each costs a byte per row, output and fold; CatBoost trims its fold caches to 50 projections, `TrimOnlineCTRcache`),
/// since a tree's float-narrowed combinations are seldom asked for again.
final class CTRStore {
    let columns: [CategoricalColumn]
    let dataset: QuantizedDataset
    let options: CategoricalOptions
    /// Target classes per target-border count (descriptions with the same count share them).
    let classesByBorderCount: [Int: [UInt8]]
    let blockCount: Int
    static let combinationCountMax = 8

    private var indexes: [Projection: ProjectionIndex] = [:]
    private var blocks: [[Projection: [UInt8]]]
    private var lastUse: [Projection: Int] = [:]
    private var clock = 0

    init(
        columns: [CategoricalColumn], dataset: QuantizedDataset, options: CategoricalOptions, targets: [Float], foldCount: Int,
        blockCount: Int
    ) {
        self.columns = columns
        self.dataset = dataset
        self.options = options
        self.blockCount = blockCount
        var counts = Set<Int>()
        for index in columns.indices { for description in options.simpleCTRs(feature: columns[index].featureIndex) { counts.insert(description.targetBorderCount) } }
        for description in options.combinationCTRs { counts.insert(description.targetBorderCount) }
        var classes: [Int: [UInt8]] = [:]
        for count in counts { classes[count] = Self.targetClasses(targets, borderCount: count) }
        classesByBorderCount = classes
        blocks = Array(repeating: [:], count: foldCount)
    }

    /// Each target's class: how many of the target's `borderCount` borders lie below it (the
    /// borders as CatBoost's `BuildTargetClassifier` selects them; GreedyLogSum stands in for
    /// its MinEntropy, which picks the same median-like cut for one border).
    static func targetClasses(_ targets: [Float], borderCount: Int) -> [UInt8] {
        let borders = BorderSelection.greedyLogSum(targets, borderCount: borderCount)
        return targets.map { target in UInt8(truncatingIfNeeded: borders.reduce(0) { $0 + (target > $1 ? 1 : 0) }) }
    }

    /// The CTRs a projection offers: a single feature's simple CTRs, or the combination CTRs.
    func layout(_ projection: Projection) -> CTRLayout {
        if projection.isSingleFeature {
            return CTRLayout(descriptions: options.simpleCTRs(feature: columns[projection.categorical[0]].featureIndex))
        }
        return CTRLayout(descriptions: options.combinationCTRs)
    }

    func index(_ projection: Projection) -> ProjectionIndex {
        touch(projection)
        if let index = indexes[projection] { return index }
        let index = ProjectionIndex(projection, columns: columns, dataset: dataset)
        indexes[projection] = index
        return index
    }

    /// The buckets of a projection in a fold if they are kept already.
    func cachedBuckets(_ projection: Projection, fold: Int) -> [UInt8]? { blocks[fold][projection] }

    /// The ids of a projection if they are kept already.
    func cachedIndex(_ projection: Projection) -> ProjectionIndex? { indexes[projection] }

    /// The target classes each description of `layout` counts.
    func classes(_ layout: CTRLayout) -> [[UInt8]] { layout.descriptions.map { classesByBorderCount[$0.targetBorderCount] ?? [] } }

    /// Each id's model key (`ProjectionIndex.keys`).
    func keys(_ projection: Projection) -> [UInt64] {
        index(projection).keys(projection, columns: columns, dataset: dataset)
    }

    /// Computes the missing ids and fold buckets of `projections` concurrently, one projection
    /// per block (each block's result depends only on its projection, so the thread count
    /// changes nothing).
    func prepare(_ projections: [Projection], fold: Int, permutation: [UInt32]) {
        let missing = projections.filter { blocks[fold][$0] == nil }
        guard !missing.isEmpty else { return }
        let (columns, dataset, known) = (columns, dataset, missing.map { indexes[$0] })
        let layouts = missing.map { layout($0) }
        let classes = layouts.map { layout in layout.descriptions.map { classesByBorderCount[$0.targetBorderCount] ?? [] } }
        let computed = ForkJoin.map(missing.count) { item -> (ProjectionIndex, [UInt8]) in
            let index = known[item] ?? ProjectionIndex(missing[item], columns: columns, dataset: dataset)
            return (index, Self.buckets(index: index, layout: layouts[item], classes: classes[item], permutation: permutation))
        }
        for (item, projection) in missing.enumerated() {
            touch(projection)
            indexes[projection] = computed[item].0
            blocks[fold][projection] = computed[item].1
        }
    }

    /// The projection's buckets in fold `fold`, whose permutation is `permutation`.
    func buckets(_ projection: Projection, fold: Int, permutation: [UInt32]) -> [UInt8] {
        touch(projection)
        if let block = blocks[fold][projection] { return block }
        let index = index(projection)
        let layout = layout(projection)
        let classes = layout.descriptions.map { classesByBorderCount[$0.targetBorderCount] ?? [] }
        let block = Self.buckets(index: index, layout: layout, classes: classes, permutation: permutation)
        blocks[fold][projection] = block
        return block
    }

    static func buckets(index: ProjectionIndex, layout: CTRLayout, classes: [[UInt8]], permutation: [UInt32]) -> [UInt8] {
        var block = [UInt8](overwrittenCount: index.ids.count * layout.width)
        index.ids.withUnsafeBufferPointer { ids in
            permutation.withUnsafeBufferPointer { permutation in
                block.withUnsafeMutableBufferPointer { block in
                    OrderedCTR.buckets(
                        OrderedCTR.Inputs(ids: ids, uniqueCount: index.uniqueCount, classes: classes, permutation: permutation),
                        layout: layout, into: block)
                }
            }
        }
        return block
    }

    /// The buckets of `projections` in every fold of `permutations` (fold index → permutation),
    /// computed concurrently, one (projection, fold) per block; ids must be known already or are
    /// computed first.
    func prepare(_ projections: [Projection], permutations: [(fold: Int, permutation: [UInt32])]) {
        let pairs = projections.flatMap { projection in permutations.map { (projection, $0.fold, $0.permutation) } }
            .filter { blocks[$0.1][$0.0] == nil }
        guard !pairs.isEmpty else { return }
        let indexes = pairs.map { index($0.0) }
        let layouts = pairs.map { layout($0.0) }
        let classes = layouts.map { layout in layout.descriptions.map { classesByBorderCount[$0.targetBorderCount] ?? [] } }
        let computed = ForkJoin.map(pairs.count) { item in
            Self.buckets(index: indexes[item], layout: layouts[item], classes: classes[item], permutation: pairs[item].2)
        }
        for (item, pair) in pairs.enumerated() { blocks[pair.1][pair.0] = computed[item] }
    }

    private func touch(_ projection: Projection) {
        clock += 1
        lastUse[projection] = clock
    }

    /// Drops the least recently used combinations past `combinationCountMax`.
    func trim() {
        let combinations = lastUse.keys.filter { !$0.isSingleFeature }
        guard combinations.count > Self.combinationCountMax else { return }
        let evicted = combinations.sorted { lastUse[$0]! < lastUse[$1]! }.prefix(combinations.count - Self.combinationCountMax)
        for projection in evicted {
            lastUse[projection] = nil
            indexes[projection] = nil
            for fold in blocks.indices { blocks[fold][projection] = nil }
        }
    }
}
