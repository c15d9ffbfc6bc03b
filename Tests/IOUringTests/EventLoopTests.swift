import CURing
import Foundation
import Testing
@testable import IOUring

/// The event loop alone, with an echo delegate, on both backends (TigerBeetle's
/// `src/io/test.zig` habit: the I/O layer tested without the server above it).
@Suite("Event loop", .serialized)
struct EventLoopTests {
    static let backends: [BackendPreference] = [.ioUring, .epoll]

    @Test("every connection's bytes come back in order", arguments: backends)
    func echo(backend: BackendPreference) throws {
        try skipUnlessAvailable(backend)
        let harness = try LoopHarness(backend)
        defer { harness.stop() }
        let clients = try (0..<8).map { _ in try TestClient(port: harness.listener.port) }
        for round in 0..<20 {
            for (index, client) in clients.enumerated() {
                let message = Array("\(index):\(round);".utf8)
                client.write(message)
                #expect(client.read(count: message.count) == message, "client \(index), round \(round)")
            }
        }
        #expect(try harness.onLoop { $0.backend.rawValue } == backend.rawValue)
    }

    @Test("a 4 MiB echo through a small send buffer to a slow reader arrives whole: partial sends resume", arguments: backends)
    func partialSends(backend: BackendPreference) throws {
        try skipUnlessAvailable(backend)
        let harness = try LoopHarness(backend) { _, delegate in
            delegate.sendBufferBytes = 4096
            delegate.tracksQueuedOutput = true
        }
        defer { harness.stop() }
        let client = try TestClient(port: harness.listener.port, receiveBufferBytes: 16 * 1024)
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let writer = Thread { client.write(payload) }
        writer.start()
        let echoed = client.read(count: payload.count, chunk: 16 * 1024, pauseMicroseconds: 100)
        #expect(echoed.count == payload.count)
        #expect(echoed == payload, "the echo differs from what was sent")
        // The server could not hand it to the kernel at once: it sat queued while sends went out piece by piece.
        #expect(harness.delegate.record.withLock { $0.queuedByteCountMax } > 256 * 1024)
    }

    @Test("closing while a receive is armed releases the connection once, and the client sees the end", arguments: backends)
    func closeWhileReceiving(backend: BackendPreference) throws {
        try skipUnlessAvailable(backend)
        let harness = try LoopHarness(backend) { _, delegate in delegate.closesOnOpen = true }
        defer { harness.stop() }
        let clients = try (0..<32).map { _ in try TestClient(port: harness.listener.port) }
        for client in clients { #expect(client.readsEndOfFile()) }
        #expect(eventually { harness.delegate.record.withLock { $0.closed.count == clients.count } })
        usleep(50_000)  // a second release would come within a turn or two
        let record = harness.delegate.record.withLock { $0 }
        #expect(record.opened.count == clients.count)
        #expect(record.closed.values.allSatisfy { $0 == 1 }, "a connection released more than once: \(record.closed)")
        #expect(try harness.onLoop { $0.openConnectionCount } == 0)
    }

    @Test("a lingering close reads and discards until the peer closes, then releases once", arguments: backends)
    func lingeringClose(backend: BackendPreference) throws {
        try skipUnlessAvailable(backend)
        let harness = try LoopHarness(backend)
        defer { harness.stop() }
        let client = try TestClient(port: harness.listener.port)
        client.write(Array("hello".utf8))
        #expect(client.read(count: 5) == Array("hello".utf8))
        let connection = try #require(harness.delegate.record.withLock { $0.opened.first })
        try harness.onLoop { $0.close(connection, discardingInput: true) }
        #expect(client.readsEndOfFile(), "the write side is shut after the last answer")
        #expect(client.write([UInt8](repeating: 1, count: 100_000)), "input is read and discarded, not refused with a reset")
        #expect(try harness.onLoop { $0.openConnectionCount } == 1, "still lingering")
        shutdown(client.fd, Int32(SHUT_WR))
        #expect(eventually { harness.delegate.record.withLock { $0.closed[connection] == 1 } })
        #expect(harness.delegate.record.withLock { $0.receivedByteCount[connection] } == 5, "input after the close reached the delegate")
    }

    @Test("abort ends a send that a peer which never reads holds in flight, and releases once", arguments: backends)
    func abortStuckSend(backend: BackendPreference) throws {
        try skipUnlessAvailable(backend)
        let harness = try LoopHarness(backend) { _, delegate in delegate.sendBufferBytes = 4096 }
        defer { harness.stop() }
        let client = try TestClient(port: harness.listener.port, receiveBufferBytes: 4096)
        client.write(Array("x".utf8))
        #expect(client.read(count: 1) == Array("x".utf8))
        let connection = try #require(harness.delegate.record.withLock { $0.opened.first })
        try harness.onLoop { loop in loop.send(connection) { $0.append(contentsOf: repeatElement(7, count: 1 << 20)) } }
        #expect(eventually { (try? harness.onLoop { $0.queuedByteCount(connection) }) ?? 0 > 512 * 1024 }, "the send is stuck")
        try harness.onLoop { $0.abort(connection) }
        #expect(eventually { harness.delegate.record.withLock { $0.closed[connection] == 1 } }, "the aborted connection was released")
        #expect(try harness.onLoop { $0.openConnectionCount } == 0)
    }

    @Test("an event for a connection whose slot was reused is dropped", arguments: backends)
    func staleEventDropped(backend: BackendPreference) throws {
        try skipUnlessAvailable(backend)
        let harness = try LoopHarness(backend)
        defer { harness.stop() }
        let (earlier, current, client) = try connectionsSharingASlot(harness)
        try harness.onLoop { loop in
            loop.handle(.peerClosed(earlier))
            [UInt8](repeating: 9, count: 3).withUnsafeBytes { loop.handle(.received(earlier, $0)) }
        }
        client.write(Array("still here".utf8))
        #expect(client.read(count: 10) == Array("still here".utf8))
        let record = harness.delegate.record.withLock { $0 }
        #expect(record.peerClosed[current] == nil)
        #expect(record.receivedByteCount[current] == 1 + 10, "the stale 3 bytes reached the delegate")
        #expect(record.closed[current] == nil)
    }

    @Test("a kernel completion for a connection whose slot was reused is dropped (io_uring)")
    func staleCompletionDropped() throws {
        try skipUnlessAvailable(.ioUring)
        let harness = try LoopHarness(.ioUring)
        defer { harness.stop() }
        let (earlier, current, client) = try connectionsSharingASlot(harness)
        // A no-op the kernel completes with result 0 under the earlier connection's receive
        // user_data: handled as the current connection's, it would be an EOF.
        try harness.onLoop { loop in
            let uring = loop.io as! URingBackend
            let sqe = uring.submissionEntry(for: "test no-op")
            io_uring_prep_nop(sqe)
            io_uring_sqe_set_data64(sqe, URingUserData(.receive, slot: Int(earlier.slot), generation: earlier.generation).rawValue)
            loop.requestImmediateTurn()
        }
        usleep(50_000)
        client.write(Array("still here".utf8))
        #expect(client.read(count: 10) == Array("still here".utf8))
        let record = harness.delegate.record.withLock { $0 }
        #expect(record.peerClosed[current] == nil, "the stale completion was taken for the current connection's EOF")
        #expect(record.closed[current] == nil)
    }

    /// Opens and closes connections until one lands in a slot an earlier one used (slots are
    /// descriptor numbers, which the kernel reuses lowest first).
    private func connectionsSharingASlot(_ harness: LoopHarness) throws -> (ConnectionID, ConnectionID, TestClient) {
        var closedEarlier: [UInt32: ConnectionID] = [:]
        for attempt in 0..<64 {
            let client = try TestClient(port: harness.listener.port)
            client.write([1])
            _ = client.read(count: 1)
            let opened = harness.delegate.record.withLock { $0.opened }
            let connection = try #require(opened.last)
            if let earlier = closedEarlier[connection.slot] {
                #expect(earlier.generation != connection.generation)
                return (earlier, connection, client)
            }
            try harness.onLoop { $0.close(connection) }
            #expect(client.readsEndOfFile(), "attempt \(attempt)")
            #expect(eventually { harness.delegate.record.withLock { $0.closed[connection] == 1 } })
            closedEarlier[connection.slot] = connection
        }
        throw TestFailure("no slot was reused in 64 connections")
    }

    @Test("a full submission queue is submitted once and nothing queued is lost (io_uring, 4 entries)")
    func fullSubmissionQueue() throws {
        try skipUnlessAvailable(.ioUring)
        let harness = try LoopHarness(.ioUring, ringEntries: 4)
        defer { harness.stop() }
        let clients = try (0..<64).map { _ in try TestClient(port: harness.listener.port) }
        for (index, client) in clients.enumerated() { client.write(Array("message \(index)".utf8)) }
        for (index, client) in clients.enumerated() {
            let message = Array("message \(index)".utf8)
            #expect(client.read(count: message.count) == message)
        }
        #expect(try harness.onLoop { ($0.io as! URingBackend).submissionQueueFlushCount } > 0, "the queue never filled")
    }

    @Test("when the provided buffers run out, connections read into buffers of their own and nothing is lost (io_uring, 8 buffers)")
    func providedBuffersExhausted() throws {
        try skipUnlessAvailable(.ioUring)
        let harness = try LoopHarness(.ioUring, providedBufferCount: 8)
        defer { harness.stop() }
        let clients = try (0..<64).map { _ in try TestClient(port: harness.listener.port) }
        // The first round's messages all reach the kernel while the loop is held, so the ring
        // takes the 8 buffers and the other connections' receives end with ENOBUFS whatever the
        // scheduling (a loop left free returned each buffer before the next message came).
        let released = Shared(false)
        harness.delegate.onLoop { _ in
            while !released.withLock({ $0 }) { usleep(1_000) }
        }
        for round in 0..<3 {
            for (index, client) in clients.enumerated() { client.write(Array("round \(round) client \(index)".utf8)) }
            if round == 0 {
                usleep(200_000)
                released.withLock { $0 = true }
            }
            for (index, client) in clients.enumerated() {
                let message = Array("round \(round) client \(index)".utf8)
                #expect(client.read(count: message.count) == message)
            }
        }
        let (ownBuffers, lent) = try harness.onLoop { loop in
            let uring = loop.io as! URingBackend
            return (uring.slots.count(where: { $0.ownBuffer != nil }), uring.provided.lentCount)
        }
        #expect(ownBuffers > 0, "the provided buffers never ran out (no ENOBUFS)")
        #expect(lent == 0)
    }
}
