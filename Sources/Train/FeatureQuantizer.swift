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
        self.nanMode = nanMode
        var sample: [Int]? = nil
        if table.rowCount > Self.borderSampleSizeMax {
            var indices = Array(0..<table.rowCount)
            for position in 0..<Self.borderSampleSizeMax {
                let pick = position + Int(random.next() % UInt64(table.rowCount - position))
                indices.swapAt(position, pick)
            }
            sample = Array(indices[0..<Self.borderSampleSizeMax]).sorted()
        }
        for (index, column) in table.columns.enumerated() where nanMode == .forbidden && column.contains(where: \.isNaN) {
            let row = column.firstIndex(where: \.isNaN)!
            throw TrainingError(
                "feature column \(index) has a missing value (row \(row + 1)) but nan_mode is Forbidden; use nan_mode Min or Max")
        }
        let sampleRows = sample
        let columnCount = table.columns.count
        let laneCount = min(max(1, threadCount), max(columnCount, 1))
        // Lane l selects the borders of columns l, l + laneCount, …
        let lanes = await ForkJoin.mapInTasks(laneCount) { lane in
            stride(from: lane, to: columnCount, by: laneCount).map { index in
                Self.feature(
                    column: table.columns[index], index: index, sample: sampleRows, borderCount: borderCount, nanMode: nanMode)
            }
        }
        features = (0..<columnCount).map { index in lanes[index % laneCount][index / laneCount] }
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

    static func feature(column: [Float], index: Int, sample: [Int]?, borderCount: Int, nanMode: NanMode) -> FloatFeature {
        let values = sample.map { rows in rows.map { column[$0] } } ?? column
        let hasNans = column.contains(where: \.isNaN)
        var borders: [Float]
        if hasNans, nanMode != .forbidden {
            borders = BorderSelection.greedyLogSum(values, borderCount: borderCount - 1)
            if nanMode == .min { borders.insert(-.greatestFiniteMagnitude, at: 0) } else { borders.append(.greatestFiniteMagnitude) }
        } else {
            borders = BorderSelection.greedyLogSum(values, borderCount: borderCount)
        }
        let treatment: NanValueTreatment = hasNans ? (nanMode == .max ? .asTrue : .asFalse) : .asIs
        return FloatFeature(columnIndex: index, borders: borders, hasNans: hasNans, nanValueTreatment: treatment)
    }
}
