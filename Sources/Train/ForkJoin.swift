import Dispatch

/// Training's one fork-join: row blocks, histogram blocks, feature groups and quantization
/// lanes all run through `map`, and every caller merges the results in index order, so a run
/// gives the same sums however the blocks were scheduled.
///
/// Synchronous on purpose (Dispatch's `concurrentPerform`, not a task group): the bodies take
/// pointers their caller holds borrowed through `withUnsafe…` closures, which cannot suspend,
/// and the calling thread runs blocks itself instead of parking until pool threads finish.
enum ForkJoin {
    /// `body(0) … body(count − 1)`, concurrently; their results in index order.
    static func map<Result: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        precondition(count >= 0, "negative block count")
        if count <= 1 { return count == 0 ? [] : [body(0)] }
        let slots = UnsafeMutablePointer<Result?>.allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
        defer {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
        // Each iteration writes only its own slot.
        let results = SharedRows(slots)
        DispatchQueue.concurrentPerform(iterations: count) { index in results[index] = body(index) }
        return (0..<count).map { index in
            guard let result = slots[index] else { preconditionFailure("block \(index) of \(count) returned nothing") }
            return result
        }
    }
}
