/// The receive buffer of `MPILibrary.reduceScatterSum`, kept from call to call: a fresh
/// allocation per level was pages faulted in, zeroed and returned each time (a rank's block at
/// the sixth level of a 30-feature model is 16 leaves x 30 x 255 bins x 16 bytes, 2 MB, over
/// the rank count).
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
