#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSys

/// The fallback backend, for containers whose seccomp profile blocks io_uring: level-triggered
/// epoll, one `recv` per readiness into a shared buffer, sends written at once and `EPOLLOUT`
/// armed only after `EAGAIN`.
final class EpollPoller: Poller {
    let backend = Backend.epoll
    let epollFD: Int32
    var listenFD: Int32 = -1
    var wakeFD: Int32 = -1
    var events = [epoll_event](repeating: epoll_event(), count: 512)
    var receiveBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Per slot: waiting for EPOLLOUT after a short write (an array: every send asks).
    var writeArmed: [Bool] = []
    static let listenTag: UInt64 = .max
    static let wakeTag: UInt64 = .max - 1

    init() throws(EventLoopError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .errno("epoll_create1") }
    }

    deinit { Glibc.close(epollFD) }

    func start(listenFD: Int32, wakeFD: Int32) throws(EventLoopError) {
        self.listenFD = listenFD
        self.wakeFD = wakeFD
        guard setNonBlocking(listenFD), add(fd: listenFD, events: EPOLLIN.rawValue, tag: Self.listenTag),
            add(fd: wakeFD, events: EPOLLIN.rawValue, tag: Self.wakeTag)
        else { throw .errno("epoll_ctl") }
    }

    private func add(fd: Int32, events: UInt32, tag: UInt64) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        return epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0
    }

    private func modify(fd: Int32, events: UInt32, tag: UInt64) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    private func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }

    func poll(loop: EventLoop, timeoutMilliseconds: Int32) {
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            let event = events[index]
            switch event.data.u64 {
            case Self.listenTag: acceptAll(loop: loop)
            case Self.wakeTag:
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
                loop.woken()
            default:
                let slot = Int(event.data.u64)
                guard loop.connections[slot].open else { continue }
                if event.events & (EPOLLERR.rawValue) != 0 {
                    loop.failed(slot: slot)
                    continue
                }
                if event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 {
                    receive(slot: slot, loop: loop)
                }
                if event.events & EPOLLOUT.rawValue != 0, loop.connections[slot].open, loop.connections[slot].sending {
                    send(slot: slot, loop: loop)
                }
            }
        }
    }

    private func acceptAll(loop: EventLoop) {
        while loop.accepting, loop.acceptPausedUntil == nil {
            let fd = accept4(listenFD, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            if fd >= 0 {
                loop.accepted(fd: fd)
                continue
            }
            switch AcceptOutcome(errno: errno) {
            case .retry: continue
            case .exhausted(let code):
                // Level-triggered: the listener stays readable, so retrying now would spin.
                loop.acceptFailed(errno: code)
                return
            case .empty: return
            }
        }
    }

    func pauseAccepting() {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
    }

    func resumeAccepting() {
        _ = add(fd: listenFD, events: EPOLLIN.rawValue, tag: Self.listenTag)
    }

    func receivingChanged(slot: Int, loop: EventLoop) {
        let events = readEvents(slot: slot, loop: loop) | (writeArmed[slot] ? EPOLLOUT.rawValue : 0)
        modify(fd: loop.connections[slot].fd, events: events, tag: UInt64(slot))
    }

    private func receive(slot: Int, loop: EventLoop) {
        let fd = loop.connections[slot].fd
        let result = receiveBuffer.withUnsafeMutableBytes { buffer in
            recv(fd, buffer.baseAddress, buffer.count, 0)
        }
        if result > 0 {
            receiveBuffer.withUnsafeBytes { buffer in
                loop.received(slot: slot, UnsafeRawBufferPointer(rebasing: buffer[0..<result]))
            }
        } else if result == 0 {
            // Stop watching reads (level-triggered EOF would fire forever); keep writes.
            modify(fd: fd, events: writeArmed[slot] ? EPOLLOUT.rawValue : 0, tag: UInt64(slot))
            loop.peerClosed(slot: slot)
        } else if errno != EAGAIN && errno != EINTR {
            loop.failed(slot: slot)
        }
    }

    func connectionAdded(slot: Int, loop: EventLoop) {
        let fd = loop.connections[slot].fd
        if writeArmed.count < loop.connections.count {
            writeArmed += Array(repeating: false, count: loop.connections.count - writeArmed.count)
        }
        writeArmed[slot] = false
        if !add(fd: fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, tag: UInt64(slot)) {
            shutdown(fd, Int32(SHUT_RDWR))  // cannot watch it: the client sees the connection end
        }
    }

    /// Writes as much of the in-flight buffer as the socket takes. `loop.sent` calls back here
    /// for the remainder of a partial write, until the kernel says EAGAIN (then EPOLLOUT resumes it).
    func send(slot: Int, loop: EventLoop) {
        let fd = loop.connections[slot].fd
        let offset = loop.connections[slot].inFlightOffset
        let total = loop.connections[slot].inFlight.count
        var result: Int
        repeat {
            result = loop.connections[slot].inFlight.withUnsafeBytes { bytes in
                Glibc.send(fd, bytes.baseAddress! + offset, total - offset, Int32(MSG_NOSIGNAL))
            }
        } while result < 0 && errno == EINTR
        if result >= 0 {
            if writeArmed[slot], result == total - offset {
                writeArmed[slot] = false
                modify(fd: fd, events: readEvents(slot: slot, loop: loop), tag: UInt64(slot))
            }
            loop.sent(slot: slot, count: result)
        } else if errno == EAGAIN {
            if !writeArmed[slot] {
                writeArmed[slot] = true
                modify(fd: fd, events: readEvents(slot: slot, loop: loop) | EPOLLOUT.rawValue, tag: UInt64(slot))
            }
        } else {
            loop.failed(slot: slot)
        }
    }

    private func readEvents(slot: Int, loop: EventLoop) -> UInt32 {
        loop.connections[slot].peerClosed || loop.connections[slot].receivePaused ? 0 : EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    }

    func close(slot: Int, loop: EventLoop) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, loop.connections[slot].fd, nil)
        writeArmed[slot] = false
        loop.release(slot: slot)
    }

    func stopAccepting(listenFD: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
    }

    func endTurn() {}
    func submitNow() {}
}
