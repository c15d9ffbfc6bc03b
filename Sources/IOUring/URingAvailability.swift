/// Whether this process can run the io_uring backend, probed once by setting up a small ring
/// and buffer ring as the loop would (swift-system's `isUringEnabled()` habit): tests that
/// need io_uring skip, saying why, where the kernel or a seccomp profile blocks it.
package enum URingAvailability {
    /// Nil when io_uring works here, else what failed (e.g. "io_uring_queue_init_params:
    /// Operation not permitted" under Docker's default seccomp profile).
    package static let unavailableReason: String? = {
        do throws(EventLoopError) {
            _ = try URingBackend(entries: 8, slotCount: 1, bufferCount: 8, bufferSize: 4096)
            return nil
        } catch {
            return error.description
        }
    }()
}
