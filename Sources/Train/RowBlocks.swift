import Dispatch

/// Per-row loops of a boosting iteration, split into blocks of rows that run on all threads.
/// Blocks are fixed by the row count alone (never by scheduling) and partial sums are merged in
/// block order, so a run gives the same model on any machine with the same thread count.
struct RowBlocks: Sendable {
    /// Below this many rows there is one block: small data keeps CatBoost's summation order
    /// exactly (the exactness fixtures are small), and a thread hop would cost more than it saves.
    static let parallelRowCountMin = 1 << 16

    let ranges: [Range<Int>]

    /// Blocks of whole `granule`s (the bootstrap draws per 8192 rows) so that a granule never
    /// straddles two blocks.
    init(rowCount: Int, threadCount: Int, granule: Int = 1) {
        let blockCount = rowCount < Self.parallelRowCountMin ? 1 : max(1, threadCount)
        let granules = (rowCount + granule - 1) / granule
        ranges = (0..<blockCount).map { block in
            min(rowCount, granules * block / blockCount * granule)..<min(rowCount, granules * (block + 1) / blockCount * granule)
        }
    }

    /// Runs `body(block, rows)` for every block, concurrently, and returns when all are done.
    /// Synchronous on purpose: callers hand the blocks pointers into arrays they hold borrowed.
    func run<Result: Sendable>(_ body: @Sendable (Int, Range<Int>) -> Result) -> [Result] {
        let ranges = ranges
        return concurrentMap(ranges.count) { block in body(block, ranges[block]) }
    }
}

/// `body(0) … body(count − 1)` run concurrently; returns their results in index order.
/// Synchronous, like `RowBlocks.run`, so callers can share borrowed pointers with the bodies.
func concurrentMap<Result: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
    if count == 1 { return [body(0)] }
    let slots = UnsafeMutablePointer<Result?>.allocate(capacity: count)
    slots.initialize(repeating: nil, count: count)
    defer {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    let results = SharedRows(slots)
    DispatchQueue.concurrentPerform(iterations: count) { index in results[index] = body(index) }
    return (0..<count).map { slots[$0]! }
}

/// A pointer into storage that concurrent blocks of rows share; each block touches only its own
/// rows (or its own slot), which is what makes sharing it sound. All the unchecked sendability
/// of training lives here.
struct SharedRows<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>

    init(_ base: UnsafeMutablePointer<Element>) {
        self.base = base
    }

    init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        self.base = buffer.baseAddress!
    }

    init(_ buffer: UnsafeBufferPointer<Element>) {
        self.base = UnsafeMutablePointer(mutating: buffer.baseAddress!)
    }

    subscript(row: Int) -> Element {
        get { base[row] }
        nonmutating set { base[row] = newValue }
    }
}

extension Array where Element: BitwiseCopyable {
    /// An array whose every element the caller writes before reading it. Skips the zero fill,
    /// which for the per-tree and per-level row arrays (megabytes each) costs as much as a
    /// third of the pass that then overwrites them.
    init(overwrittenCount count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initializedCount in initializedCount = count }
    }
}
