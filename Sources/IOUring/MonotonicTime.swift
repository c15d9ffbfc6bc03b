#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: the loop's and its delegates' one clock for timeouts.
public enum MonotonicTime {
    public static var nanoseconds: UInt64 {
        var spec = timespec()
        // Fails only for an unknown clock or a bad pointer.
        let result = clock_gettime(CLOCK_MONOTONIC, &spec)
        precondition(result == 0, "clock_gettime(CLOCK_MONOTONIC) failed")
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
