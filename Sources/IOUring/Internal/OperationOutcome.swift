/// An operation's closed set of outcomes (`ReceiveOutcome`, `SendOutcome`), made the same way
/// from a system call's result and from an io_uring completion's.
protocol OperationOutcome {
    /// `result` is the call's return value with `errno` (read only when `result` < 0), or a
    /// completion's result, whose errno is its negation.
    init(result: Int, errno: Int32)
}

extension OperationOutcome {
    /// A system call's result as `SystemCall.run` returns it.
    init(_ result: Result<Int, Errno>) {
        switch result {
        case .success(let count): self.init(result: count, errno: 0)
        case .failure(let errno): self.init(result: -1, errno: errno.code)
        }
    }

    /// An io_uring completion's result.
    init(completionResult result: Int32) {
        self.init(result: Int(result), errno: result < 0 ? -result : 0)
    }
}
