/// One io_uring set-up step made to fail with an errno, as an old kernel (EINVAL from
/// IORING_REGISTER_PBUF_RING before Linux 5.19), a seccomp profile (EPERM, ENOSYS) or memory
/// limits (ENOMEM) would: the fallback to epoll is tested without such a machine.
package struct URingSetupFailure: Sendable, Equatable {
    package enum Step: Sendable, Equatable, CaseIterable {
        case queueInit, registerBufferRing, submit
    }

    package var step: Step
    package var errno: Int32

    package init(step: Step, errno: Int32) {
        self.step = step
        self.errno = errno
    }

    /// The negative errno liburing would return at `step`, or nil to run the step for real.
    func result(at step: Step) -> Int32? {
        step == self.step ? -errno : nil
    }
}
