import Dispatch
import Synchronization

/// The one fork-join of training and serving: `body(0) … body(count − 1)` run concurrently and
/// their results come back in index order, so every caller merges them in the same order however
/// the blocks were scheduled. Two ways to run the same contract:
///
/// - `map` is synchronous (Dispatch's `concurrentPerform`; the calling thread runs blocks too):
///   for the per-row passes and split scoring, whose blocks read pointers their caller holds
///   borrowed through `withUnsafe…` closures, which cannot suspend.
/// - `mapInTasks` is a task group: for histograms and quantization, whose blocks allocate their
///   own output arrays. Allocated on a Dispatch worker, a level's histograms came from that
///   thread's malloc arena, which unmaps a whole heap once it is empty, and training took ten
///   times the page faults (600k instead of 20k at 200k rows × 30 features, 13% more wall time).
///   The server's sliced requests use it too: they run inside the batcher's task.
package enum ForkJoin {
    /// The workers `map` uses when installed (training installs them; the server does not, so
    /// its idle cores never spin).
    private static let spinningWorkers = Mutex<SpinningWorkers?>(nil)

    /// From now on `map` runs its blocks on `workerCount` spinning threads and the caller
    /// (Dispatch's pool when those are busy). Once per process; later calls change nothing.
    package static func installSpinningWorkers(count workerCount: Int) {
        spinningWorkers.withLock { workers in
            if workers == nil, workerCount > 0 { workers = SpinningWorkers(workerCount: workerCount) }
        }
    }

    /// The blocks on the spinning workers if installed and free, else on Dispatch's pool; the
    /// caller runs blocks too. Returns when all are done.
    package static func map<Result: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        precondition(count >= 0, "negative block count")
        if count <= 1 { return count == 0 ? [] : [body(0)] }
        let slots = UnsafeMutablePointer<Result?>.allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
        defer {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
        let results = Slots(base: slots)
        let block: @Sendable (Int) -> Void = { index in results.base[index] = body(index) }
        if spinningWorkers.withLock({ $0 })?.run(count, block) == nil {
            DispatchQueue.concurrentPerform(iterations: count, execute: block)
        }
        return (0..<count).map { index in
            guard let result = slots[index] else { preconditionFailure("block \(index) of \(count) returned nothing") }
            return result
        }
    }

    /// The blocks as child tasks of the calling task, on the cooperative pool.
    package static func mapInTasks<Result: Sendable>(
        _ count: Int, _ body: @escaping @Sendable (Int) -> Result
    ) async -> [Result] {
        precondition(count >= 0, "negative block count")
        if count <= 1 { return count == 0 ? [] : [body(0)] }
        var slots = [Result?](repeating: nil, count: count)
        await withTaskGroup(of: (Int, Result).self) { group in
            for index in 0..<count {
                group.addTask { (index, body(index)) }
            }
            for await (index, result) in group { slots[index] = result }
        }
        return slots.enumerated().map { index, result in
            guard let result else { preconditionFailure("block \(index) of \(count) returned nothing") }
            return result
        }
    }
}

/// The result slots `map`'s blocks write: each iteration writes only its own, which is what
/// makes sharing the pointer sound.
private struct Slots<Result>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Result?>
}
