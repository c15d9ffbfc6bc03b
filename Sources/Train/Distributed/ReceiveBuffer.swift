/// The receive buffer of `MPILibrary.reduceScatterSum`, kept from call to call: a fresh
/// allocation per level was up to 2 MB of pages faulted in, zeroed and returned each time.
///
/// Collectives run from one task at a time (MPI_THREAD_SERIALIZED, and every rank must make
/// them in the same order), so the buffer is never used by two callers at once.
final class ReceiveBuffer: @unchecked Sendable {
    private var storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: 0)

    /// At least `count` doubles, their contents unspecified; valid until the next call.
    func doubles(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
        if storage.count < count {
            storage.deallocate()
            storage = .allocate(capacity: max(count, 2 * storage.count))
        }
        return UnsafeMutableBufferPointer(rebasing: storage[..<count])
    }

    deinit { storage.deallocate() }
}
