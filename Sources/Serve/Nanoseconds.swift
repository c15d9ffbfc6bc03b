/// Seconds from configuration as monotonic nanoseconds, saturating instead of trapping: a
/// timeout of `inf` or 1e300 s means "never", not a crash when converted to UInt64.
enum Nanoseconds {
    static func saturating(seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }  // NaN too
        let nanoseconds = seconds * 1e9
        // 2^64 is exactly representable; anything at or above it does not fit.
        return nanoseconds >= 18_446_744_073_709_551_616.0 ? .max : UInt64(nanoseconds)
    }

    /// `now` plus `seconds`, at most UInt64.max.
    static func adding(seconds: Double, to now: UInt64) -> UInt64 {
        let (sum, overflow) = now.addingReportingOverflow(saturating(seconds: seconds))
        return overflow ? .max : sum
    }
}
