import Foundation
import Testing
@testable import IOUring

/// A listening TCP socket on 127.0.0.1 and an ephemeral port.
struct TestListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4096) == 0 else { throw TestFailure("bind/listen: \(String(cString: strerror(errno)))") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = UInt16(bigEndian: actual.sin_port)
    }
}

/// A value shared between the test thread and the loop thread.
final class Shared<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A blocking client socket with a receive timeout, so a test that goes wrong fails instead of hanging.
final class TestClient: @unchecked Sendable {
    private(set) var fd: Int32

    /// `receiveBufferBytes` is set before connecting, so the window the server sees is small.
    init(port: UInt16, receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        if var bytes = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw TestFailure("connect: \(reason)")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Writes all of `bytes`; false if the connection broke first.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result < 0 && errno == EINTR { continue }
            if result <= 0 { return false }
            sent += result
        }
        return true
    }

    /// Reads exactly `count` bytes, `chunk` at a time with `pause` between reads (a slow
    /// reader); fewer if the connection ends or the receive times out.
    func read(count: Int, chunk: Int = 64 * 1024, pauseMicroseconds: UInt32 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, min(chunk, count - filled), 0) }
            // Interrupted before any byte arrived (EINTR, seen in about one run in eight of the
            // io_uring echo test; no signal handler of ours is involved): the bytes come on the
            // next call, so retry rather than report a short read.
            if result < 0 && errno == EINTR { continue }
            if result <= 0 { break }
            filled += result
            if pauseMicroseconds > 0 { usleep(pauseMicroseconds) }
        }
        return Array(bytes[..<filled])
    }

    /// Whether the server closed the connection: EOF (or a reset) before any byte.
    func readsEndOfFile() -> Bool {
        var byte: UInt8 = 0
        let result = recv(fd, &byte, 1, 0)
        return result == 0 || (result < 0 && errno != EAGAIN)
    }

    /// Closes with a reset (SO_LINGER 0), which leaves no TIME_WAIT behind.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(fd)
        fd = -1
    }
}

/// Polls `condition` every millisecond for up to `seconds`.
func eventually(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}

/// The backends to test, io_uring only where this process can set up a ring; skipping says why.
func skipUnlessAvailable(_ backend: BackendPreference) throws {
    guard backend == .ioUring, let reason = URingAvailability.unavailableReason else { return }
    print("io_uring test skipped: \(reason)")
    try Test.cancel("io_uring is not available here: \(reason)")
}

/// The descriptor limit, with the soft limit first raised to the hard one (at most 65,536, as
/// the server does): the size of a loop's slot table, which must hold every descriptor number
/// the process may have, since the suites of this process open sockets at the same time.
func raisedDescriptorLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
    let wanted = min(limit.rlim_max, 65_536)
    if limit.rlim_cur < wanted {
        limit.rlim_cur = wanted
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 { getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) }
    }
    return Int(min(limit.rlim_cur, 65_536))
}
