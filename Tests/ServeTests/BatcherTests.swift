@testable import IOUring
import Model
import Testing
@testable import Serve

@Suite("Batcher")
struct BatcherTests {
    @Test("jobs queued in one turn are evaluated in one pass, each answered with its own rows")
    func coalesces() async throws {
        let model = try TestModel()
        let handOff = HandOff()
        // A waker on a private eventfd stands in for the loop.
        let fd = eventfdForTest()
        let batcher = Batcher(evaluator: model.evaluator, handOff: handOff, waker: Waker(fd: fd), rowBudget: 1000)
        let batches = (0..<5).map { rows(1 + $0 * 3, seed: $0) }
        let jobs = batches.enumerated().map { index, batch in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                features: batch.flatMap { $0 }, rowCount: batch.count, format: .csv)
        }
        #expect(handOff.submit(jobs))
        #expect(!handOff.isIdle)
        await batcher.drain()
        #expect(await batcher.passCount == 1)
        #expect(await batcher.jobCount == 5)
        let replies = handOff.collect()
        #expect(handOff.isIdle)
        #expect(replies.map(\.sequence) == [0, 1, 2, 3, 4])
        for (reply, batch) in zip(replies, batches) {
            #expect(same(parseCSV(String(decoding: reply.response.body, as: UTF8.self)), model.expected(batch)))
        }
    }

    @Test("a row budget splits the queue into several passes, never splitting a job")
    func budget() async throws {
        let model = try TestModel()
        let handOff = HandOff()
        let batcher = Batcher(evaluator: model.evaluator, handOff: handOff, waker: Waker(fd: eventfdForTest()), rowBudget: 10)
        let jobs = (0..<4).map { index in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                features: rows(6, seed: index).flatMap { $0 }, rowCount: 6, format: .json)
        }
        _ = handOff.submit(jobs)
        await batcher.drain()
        #expect(await batcher.passCount == 4)
        #expect(handOff.collect().count == 4)
    }
}

import CSys

func eventfdForTest() -> Int32 { eventfd(0, Int32(EFD_CLOEXEC)) }
