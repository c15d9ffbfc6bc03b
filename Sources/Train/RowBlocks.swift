import Model

/// Per-row loops of a boosting iteration, split into blocks of rows that run on all threads.
/// Blocks are fixed by the row count alone (never by scheduling) and partial sums are merged in
/// block order, so a run gives the same model on any machine with the same thread count.
struct RowBlocks: Sendable {
    /// Below this many rows there is one block: small data keeps CatBoost's summation order
    /// exactly (the exactness fixtures are small), and a thread hop would cost more than it saves.
    static let parallelRowCountMin = 1 << 16
    /// Where split search draws at random (so no run equals CatBoost's bit for bit), passes run
    /// on every thread from two bootstrap blocks on: on 43k rows one thread did all but the
    /// histograms.
    static let parallelRowCountMinRandomSearch = 2 * Bootstrap.blockSize
    /// Passes whose result does not depend on the blocks (a stable partition) split from here.
    static let exactParallelRowCountMin = 1 << 13

    let ranges: [Range<Int>]

    /// Blocks of whole `granule`s (the bootstrap draws per 8192 rows) so that a granule never
    /// straddles two blocks.
    /// - Parameter minimumRowCount: below it, one block (`parallelRowCountMin` unless a pass
    ///   whose result does not depend on the blocks asks for less).
    init(rowCount: Int, threadCount: Int, granule: Int = 1, minimumRowCount: Int = Self.parallelRowCountMin) {
        let blockCount = rowCount < minimumRowCount ? 1 : max(1, threadCount)
        let granules = (rowCount + granule - 1) / granule
        ranges = (0..<blockCount).map { block in
            min(rowCount, granules * block / blockCount * granule)..<min(rowCount, granules * (block + 1) / blockCount * granule)
        }
    }

    /// Runs `body(block, rows)` for every block, concurrently, and returns when all are done.
    /// Synchronous on purpose: callers hand the blocks pointers into arrays they hold borrowed.
    func run<Result: Sendable>(_ body: @Sendable (Int, Range<Int>) -> Result) -> [Result] {
        let ranges = ranges
        return ForkJoin.map(ranges.count) { block in body(block, ranges[block]) }
    }
}
