#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The one place this module turns a system call's -1/errno, or liburing's `-errno`, into a
/// result: EINTR is retried here, and an errno that can only mean a bug in this module (a
/// descriptor it does not own, a buffer outside its memory) stops the process naming the call,
/// as SwiftNIO's `syscall(blocking:)` and its "unacceptable errno" check do. Every other errno
/// goes back to the caller, which maps it to the operation's own closed set of outcomes
/// (`AcceptOutcome`, `ReceiveOutcome`, `SendOutcome`).
enum SystemCall {
    /// EFAULT (a buffer outside the address space), EBADF and ENOTSOCK (a descriptor this module
    /// never opened or already closed): never the peer's or the kernel's doing.
    @inline(__always)
    static func isBug(_ code: Int32) -> Bool {
        code == EFAULT || code == EBADF || code == ENOTSOCK
    }

    /// Runs `call` (a libc call that returns -1 and sets errno on failure) until no signal
    /// interrupts it. The count or descriptor it returned, or the errno that stopped it.
    @inline(__always)
    static func run<Result: BinaryInteger>(_ name: StaticString, _ call: () -> Result) -> Swift.Result<Result, Errno> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let code = errno
            if code == EINTR { continue }
            precondition(!isBug(code), "\(name): \(Errno(code)), which can only be a bug in the event loop")
            return .failure(Errno(code))
        }
    }

    /// As `run`, for calls whose every failure is a bug (epoll_ctl on the loop's own set,
    /// setsockopt with a valid option): they stop the process naming the call and errno.
    @inline(__always)
    static func mustSucceed<Result: BinaryInteger>(_ name: StaticString, _ call: () -> Result) -> Result {
        switch run(name, call) {
        case .success(let value): return value
        case .failure(let errno): preconditionFailure("\(name): \(errno)")
        }
    }

    /// close(2), once: on Linux the descriptor is released even when close reports EINTR, so
    /// retrying could close a descriptor another thread just opened. EIO cannot concern a
    /// socket; EBADF is a bug (the descriptor was closed twice).
    static func close(_ fd: Int32) {
        if Glibc.close(fd) == 0 { return }
        let code = errno
        precondition(code != EBADF, "close(\(fd)): \(Errno(code)): the descriptor was closed twice")
    }

    /// shutdown(2): ENOTCONN (the peer reset the connection first) is the caller's to judge;
    /// EINVAL (no such `how`) is a bug.
    @discardableResult
    static func shutdown(_ fd: Int32, _ how: Int32) -> Swift.Result<Int32, Errno> {
        let result = run("shutdown") { Glibc.shutdown(fd, how) }
        if case .failure(let errno) = result { precondition(errno.code == ENOTCONN, "shutdown(\(fd), \(how)): \(errno)") }
        return result
    }

    /// The result of `io_uring_submit`, `io_uring_submit_and_wait_timeout` or
    /// `io_uring_get_events`: how many entries the kernel took. A wait that ended by its timeout
    /// (ETIME) or a signal (EINTR) is a turn like any other; EAGAIN (the kernel is short of
    /// memory) and EBUSY (the completion queue is overcommitted) leave the entries queued, and
    /// the reaping that follows makes room (io_uring_enter(2)). Every other errno, from a ring
    /// this module set up and drives from its own thread, is a bug.
    static func submitted(_ name: StaticString, _ result: Int32) -> Int32 {
        if result >= 0 { return result }
        let errno = Errno(negated: result)
        switch errno.code {
        case ETIME, EINTR, EAGAIN, EBUSY: return 0
        default: preconditionFailure("\(name): \(errno), which can only be a bug in the event loop")
        }
    }
}
