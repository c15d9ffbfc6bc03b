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
        let batcher = Batcher(evaluator: model.evaluator, handOff: handOff, waker: Waker(fd: fd), byteBudget: 100_000, parallelism: 2)
        let batches = (0..<5).map { rows(1 + $0 * 3, seed: $0) }
        let jobs = batches.enumerated().map { index, batch in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                body: Array(csv(batch).utf8), inputFormat: .csv, outputFormat: .csv)
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

    @Test("a byte budget splits the queue into several passes, never splitting a job; a bad body fails alone")
    func budget() async throws {
        let model = try TestModel()
        let handOff = HandOff()
        let bodies = (0..<4).map { Array(csv(rows(6, seed: $0)).utf8) }
        let batcher = Batcher(
            evaluator: model.evaluator, handOff: handOff, waker: Waker(fd: eventfdForTest()),
            byteBudget: bodies[0].count + 1, parallelism: 2)
        var jobs = bodies.enumerated().map { index, body in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                body: body, inputFormat: .csv, outputFormat: .json)
        }
        jobs[2].body = Array("1,2,3\n4,x,6\n".utf8)
        _ = handOff.submit(jobs)
        await batcher.drain()
        #expect(await batcher.passCount == 4)
        let replies = handOff.collect()
        #expect(replies.map(\.response.status) == [200, 200, 400, 200])
        #expect(String(decoding: replies[2].response.body, as: UTF8.self).contains("line 2, column 2"))
    }

    @Test("a large CSV body is decoded in slices: same rows, blank lines dropped, the first bad line reported")
    func parallelDecoding() async throws {
        let model = try TestModel()
        let input = rows(60_000, seed: 9)
        var lines = input.map { $0.map { "\($0)" }.joined(separator: ",") }
        lines.insert("", at: 10)  // blank lines in both halves
        lines.insert("  ", at: 50_000)
        let body = Array((lines.joined(separator: "\r\n") + "\n\n").utf8)
        #expect(body.count >= 2 * ParallelDecoding.bytesPerSliceMin)
        let decoded = try await ParallelDecoding.decode(body, format: .csv, columnCount: 3, parallelism: 2)
        #expect(decoded.rowCount == input.count)
        #expect(decoded.features == input.flatMap { $0 })

        let predictions = await ParallelEvaluation.predict(
            evaluator: model.evaluator, features: decoded.features, rowCount: decoded.rowCount, parallelism: 2)
        #expect(predictions == model.evaluator.predict(features: decoded.features, rowCount: decoded.rowCount))

        for format in PayloadFormat.allCases {
            let answered = try await ParallelDecoding.answerCSV(body, evaluator: model.evaluator, outputFormat: format, parallelism: 2)
            #expect(answered == InvocationCodec.encode(predictions[...], format: format), "\(format)")
        }
        // A slice of blank lines contributes no items (and, in JSON, no stray comma).
        let padded = Array((lines.prefix(3).joined(separator: "\n") + "\n" + String(repeating: " \n", count: 200_000)).utf8)
        let short = try await ParallelDecoding.answerCSV(padded, evaluator: model.evaluator, outputFormat: .json, parallelism: 2)
        let expected = model.evaluator.predict(features: Array(input.prefix(3).joined()), rowCount: 3)
        #expect(short == InvocationCodec.encode(expected[...], format: .json))

        var broken = lines
        broken[40_000] = "1,2"
        broken[55_000] = "1,2,zz"
        await #expect(throws: InvocationError.badRequest("CSV line 40001: 2 columns, the model expects 3 (no label column)")) {
            _ = try await ParallelDecoding.decode(Array(broken.joined(separator: "\n").utf8), format: .csv, columnCount: 3, parallelism: 2)
        }
        broken[40_000] = lines[40_000]
        await #expect(throws: InvocationError.badRequest("CSV line 55001, column 3: 'zz' is not a number")) {
            _ = try await ParallelDecoding.decode(Array(broken.joined(separator: "\n").utf8), format: .csv, columnCount: 3, parallelism: 2)
        }
        await #expect(throws: InvocationError.badRequest("CSV line 55001, column 3: 'zz' is not a number")) {
            _ = try await ParallelDecoding.answerCSV(
                Array(broken.joined(separator: "\n").utf8), evaluator: model.evaluator, outputFormat: .csv, parallelism: 2)
        }
    }
}

import CSys

func eventfdForTest() -> Int32 { eventfd(0, Int32(EFD_CLOEXEC)) }
