#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// An errno value, from a failed system call or a negative io_uring completion result.
struct Errno: Error, Equatable, CustomStringConvertible {
    var code: Int32

    init(_ code: Int32) {
        self.code = code
    }

    /// The errno of a negative io_uring result (liburing and CQEs return `-errno`).
    init(negated result: Int32) {
        precondition(result < 0, "not an error result: \(result)")
        code = -result
    }

    /// As strerror(3) describes it, with the number.
    var description: String { "\(String(cString: strerror(code))) (errno \(code))" }
}
