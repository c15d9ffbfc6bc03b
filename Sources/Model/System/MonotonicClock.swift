#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on a clock that never steps back (wall-clock changes do not bend elapsed times in the
/// training log); written once here for every module that measures elapsed time.
package enum MonotonicClock {
    package static var seconds: Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }
}
