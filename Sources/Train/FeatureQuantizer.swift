public import Model

/// Turns raw feature columns into bin bytes with training borders (LightGBM's "bin mapper").
///
/// bin(x) = number of borders strictly below float32(x); a NaN goes to bin 0 under
/// `nan_mode=Min` (an extra first border at −FLT_MAX) and to the last bin under `Max`.
public struct FeatureQuantizer: Sendable {
    /// CatBoost's `dev_max_subset_size_for_build_borders`: borders come from a random subset
    /// of this many rows once the data is larger.
    public static let borderSampleSizeMax = 200_000

    public var features: [FloatFeature]
    public var nanMode: NanMode

    /// Selects borders for every column (in parallel over columns).
    public init(
        table: DataTable, borderCount: Int, nanMode: NanMode, random: inout RandomGenerator, threadCount: Int
    ) async throws(TrainingError) {
        try await self.init(
            table: table, shard: RowShard(wholeOf: table.rowCount), communicator: SingleProcess(), borderCount: borderCount,
            nanMode: nanMode, random: &random, threadCount: threadCount)
    }

    /// Borders of the rows every rank holds (`table` is this rank's `shard`), the same on every
    /// rank and the same one process computes from all the rows: the border sample is drawn
    /// over global rows, and each rank sends its sampled values to all (`gatheredFeatures`).
    init(
        table: DataTable, shard: RowShard, communicator: any Communicator, borderCount: Int, nanMode: NanMode,
        random: inout RandomGenerator, threadCount: Int
    ) async throws(TrainingError) {
        precondition(shard.rowCount == table.rowCount, "the shard is not this table's")
        self.nanMode = nanMode
        let sample = Self.borderSample(rowCount: shard.totalRowCount, random: &random)
        var failure: TrainingError?
        for (index, column) in table.columns.enumerated() where nanMode == .forbidden && column.contains(where: \.isNaN) {
            let row = shard.firstRow + column.firstIndex(where: \.isNaN)!
            failure = TrainingError(
                "feature column \(index) has a missing value (row \(row + 1)) but nan_mode is Forbidden; use nan_mode Min or Max")
            break
        }
        try communicator.agree(failure)
        guard communicator.isDistributed else {
            features = await Self.localFeatures(
                table: table, sample: sample, borderCount: borderCount, nanMode: nanMode, threadCount: threadCount)
            return
        }
        let localSample = sample.map { rows in
            rows.filter { $0 >= shard.firstRow && $0 < shard.firstRow + shard.rowCount }.map { $0 - shard.firstRow }
        }
        features = await Self.gatheredFeatures(
            table: table, localSample: localSample, communicator: communicator, borderCount: borderCount, nanMode: nanMode,
            threadCount: threadCount)
    }

    /// CatBoost's border subset: `borderSampleSizeMax` rows drawn without replacement (sorted),
    /// or nil (every row) for smaller data.
    static func borderSample(rowCount: Int, random: inout RandomGenerator) -> [Int]? {
        guard rowCount > borderSampleSizeMax else { return nil }
        var indices = Array(0..<rowCount)
        for position in 0..<borderSampleSizeMax {
            let pick = position + Int(random.next() % UInt64(rowCount - position))
            indices.swapAt(position, pick)
        }
        return Array(indices[0..<borderSampleSizeMax]).sorted()
    }

    /// Every column's borders from this process's rows.
    static func localFeatures(
        table: DataTable, sample: [Int]?, borderCount: Int, nanMode: NanMode, threadCount: Int
    ) async -> [FloatFeature] {
        await mapColumns(count: table.columns.count, threadCount: threadCount) { index in
            let column = table.columns[index]
            return feature(
                values: sample.map { rows in rows.map { column[$0] } } ?? column, hasNans: column.contains(where: \.isNaN),
                index: index, borderCount: borderCount, nanMode: nanMode)
        }
    }

    /// Every column's borders from every rank's sampled rows: each rank sends its sampled values
    /// (column-major) and the count of its NaNs per column; each rank then selects the borders of
    /// its own contiguous range of columns from the values in global row order, and the ranks
    /// exchange their borders, so every rank holds the same borders at 1/ranks of the work.
    static func gatheredFeatures(
        table: DataTable, localSample: [Int]?, communicator: any Communicator, borderCount: Int, nanMode: NanMode,
        threadCount: Int
    ) async -> [FloatFeature] {
        let columnCount = table.columns.count
        var localNanCounts = table.columns.map { column in Double(column.count(where: \.isNaN)) }
        communicator.allReduceSum(&localNanCounts)
        let nanCounts = localNanCounts
        var local: [Float] = []
        for column in table.columns { local += localSample.map { rows in rows.map { column[$0] } } ?? column }
        let parts = communicator.allGatherParts(local)
        let owned = communicator.contiguousShares(of: columnCount)[communicator.rank]
        let mine = await mapColumns(count: owned.count, threadCount: threadCount) { position in
            let index = owned.lowerBound + position
            var values: [Float] = []
            for part in parts {
                let perColumn = part.count / columnCount
                values += part[(index * perColumn)..<((index + 1) * perColumn)]
            }
            return feature(values: values, hasNans: nanCounts[index] > 0, index: index, borderCount: borderCount, nanMode: nanMode)
        }
        // Each rank's message: per owned column, its border count, then its borders.
        let message = mine.flatMap { [Float($0.borders.count)] + $0.borders }
        var features: [FloatFeature] = []
        for part in communicator.allGatherParts(message) {
            var position = 0
            while position < part.count {
                let count = Int(part[position])
                let index = features.count
                features.append(
                    FloatFeature(
                        columnIndex: index, borders: Array(part[(position + 1)..<(position + 1 + count)]),
                        hasNans: nanCounts[index] > 0, nanValueTreatment: treatment(hasNans: nanCounts[index] > 0, nanMode: nanMode)))
                position += 1 + count
            }
        }
        precondition(features.count == columnCount, "every column's borders gathered")
        return features
    }

    /// `body(column)` for every column, lane l taking columns l, l + laneCount, …, in column order.
    static func mapColumns(
        count columnCount: Int, threadCount: Int, _ body: @escaping @Sendable (Int) -> FloatFeature
    ) async -> [FloatFeature] {
        let laneCount = min(max(1, threadCount), max(columnCount, 1))
        let lanes = await ForkJoin.mapInTasks(laneCount) { lane in
            stride(from: lane, to: columnCount, by: laneCount).map(body)
        }
        return (0..<columnCount).map { index in lanes[index % laneCount][index / laneCount] }
    }

    /// Bin bytes of one column with feature `index`'s borders (≤ 254 borders, so a byte holds every bin).
    public func bins(of column: [Float], feature index: Int) -> [UInt8] {
        let feature = features[index]
        var bins = [UInt8](overwrittenCount: column.count)
        column.withUnsafeBufferPointer { values in
            bins.withUnsafeMutableBufferPointer { feature.bins(of: values, into: $0) }
        }
        return bins
    }

    /// Column-major bin bytes of every column of `table`, columns binned concurrently.
    public func bins(of table: DataTable, threadCount: Int) async -> [UInt8] {
        let columnCount = table.columns.count
        let laneCount = min(max(1, threadCount), max(columnCount, 1))
        let lanes = await ForkJoin.mapInTasks(laneCount) { lane in
            stride(from: lane, to: columnCount, by: laneCount).map { bins(of: table.columns[$0], feature: $0) }
        }
        return Array((0..<columnCount).map { index in lanes[index % laneCount][index / laneCount] }.joined())
    }

    static func feature(values: [Float], hasNans: Bool, index: Int, borderCount: Int, nanMode: NanMode) -> FloatFeature {
        var borders: [Float]
        if hasNans, nanMode != .forbidden {
            borders = BorderSelection.greedyLogSum(values, borderCount: borderCount - 1)
            if nanMode == .min { borders.insert(-.greatestFiniteMagnitude, at: 0) } else { borders.append(.greatestFiniteMagnitude) }
        } else {
            borders = BorderSelection.greedyLogSum(values, borderCount: borderCount)
        }
        return FloatFeature(
            columnIndex: index, borders: borders, hasNans: hasNans, nanValueTreatment: treatment(hasNans: hasNans, nanMode: nanMode))
    }

    /// Where a feature's NaNs go: below every border (Min), above (Max), or nowhere (no NaNs).
    static func treatment(hasNans: Bool, nanMode: NanMode) -> NanValueTreatment {
        hasNans ? (nanMode == .max ? .asTrue : .asFalse) : .asIs
    }
}
