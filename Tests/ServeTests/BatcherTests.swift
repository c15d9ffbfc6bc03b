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
        var batcher = Batcher(handOff: handOff, waker: Waker(fd: fd), byteBudget: 100_000, parallelism: 2)
        let batches = (0..<5).map { rows(1 + $0 * 3, seed: $0) }
        let jobs = batches.enumerated().map { index, batch in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                model: model.scoring, body: Array(csv(batch).utf8), inputFormat: .csv, outputFormat: .csv)
        }
        #expect(handOff.submit(jobs))
        #expect(!handOff.isIdle)
        await batcher.drain()
        #expect(batcher.passCount == 1)
        #expect(batcher.jobCount == 5)
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
        var batcher = Batcher(
            handOff: handOff, waker: Waker(fd: eventfdForTest()),
            byteBudget: bodies[0].count + 1, parallelism: 2)
        var jobs = bodies.enumerated().map { index, body in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                model: model.scoring, body: body, inputFormat: .csv, outputFormat: .json)
        }
        jobs[2].body = Array("1,2,3\n4,x,6\n".utf8)
        _ = handOff.submit(jobs)
        await batcher.drain()
        #expect(batcher.passCount == 4)
        let replies = handOff.collect()
        #expect(replies.map(\.response.status) == [200, 200, 400, 200])
        #expect(String(decoding: replies[2].response.body, as: UTF8.self).contains("line 2, column 2"))
    }

    @Test("large CSV bodies are answered in slices: same answers, blank lines dropped, the first bad line reported")
    func slicedAnswers() async throws {
        let model = try TestModel()
        let input = rows(60_000, seed: 9)
        var lines = input.map { $0.map { "\($0)" }.joined(separator: ",") }
        lines.insert("", at: 10)  // blank lines in both halves
        lines.insert("  ", at: 50_000)
        let body = Array((lines.joined(separator: "\r\n") + "\n\n").utf8)
        #expect(SlicedCSV.sliceCount(byteCount: body.count, parallelism: 2) == 2)
        let decoded = try InvocationCodec.decode(body, format: .csv, schema: .numeric(columnCount: 3))
        #expect(decoded.rowCount == input.count)
        #expect(decoded.features == input.flatMap { $0 })
        let predictions = model.evaluator.predict(features: decoded.features, rowCount: decoded.rowCount)
        #expect(await ParallelEvaluation.predict(
            evaluator: model.evaluator, features: decoded.features, rowCount: decoded.rowCount, parallelism: 2) == predictions)

        // A slice of blank lines contributes no items (and, in JSON, no stray comma).
        let padded = Array((lines.prefix(3).joined(separator: "\n") + "\n" + String(repeating: " \n", count: 200_000)).utf8)
        let paddedExpected = model.evaluator.predict(features: Array(input.prefix(3).joined()), rowCount: 3)
        // Bad lines in the second slice, then in both (the first in the text is reported).
        var broken = lines
        broken[40_000] = "1,2"
        broken[55_000] = "1,2,zz"
        let brokenLate = Array(broken.joined(separator: "\n").utf8)
        broken[40_000] = lines[40_000]
        broken[5] = "1,,2,3"
        let brokenEarly = Array(broken.joined(separator: "\n").utf8)

        func answer(_ body: [UInt8], _ format: PayloadFormat) async throws(InvocationError) -> [UInt8] {
            try await SlicedCSV.answer(body, outputFormat: format, evaluator: model.evaluator, parallelism: 2)
        }
        for format in PayloadFormat.allCases {
            #expect(try await answer(body, format) == InvocationCodec.encode(predictions[...], format: format), "\(format)")
        }
        #expect(try await answer(padded, .json) == InvocationCodec.encode(paddedExpected[...], format: .json))
        await #expect(throws: InvocationError.badRequest("CSV line 40001: 2 columns, the model expects 3 (no label column)")) {
            try await answer(brokenLate, .csv)
        }
        await #expect(throws: InvocationError.badRequest("CSV line 6: 4 columns, the model expects 3 (no label column)")) {
            try await answer(brokenEarly, .csv)
        }
        await #expect(throws: InvocationError.badRequest("empty request body: send at least one row")) {
            try await answer(Array("  \n".utf8), .csv)
        }
        // The later error alone.
        let onlyLate = Array(lines.enumerated().map { $0.offset == 55_000 ? "1,2,zz" : $0.element }.joined(separator: "\n").utf8)
        await #expect(throws: InvocationError.badRequest("CSV line 55001, column 3: 'zz' is not a number")) {
            try await answer(onlyLate, .csv)
        }
    }

    @Test("large bodies are answered alone, the small ones around them coalesced into one pass, each its own answer")
    func largeAlone() async throws {
        let model = try TestModel()
        let handOff = HandOff()
        var batcher = Batcher(
            handOff: handOff, waker: Waker(fd: eventfdForTest()), byteBudget: 8 << 20, parallelism: 2)
        let large = rows(40_000, seed: 4)
        let small = [rows(3, seed: 5), rows(1, seed: 6)]
        let bodies = [csv(small[0]), csv(large), "[[0.5, 1, -1]]", csv(small[1]), csv(large) + "1,x,2\n"]
        let formats: [PayloadFormat] = [.csv, .csv, .json, .csv, .csv]
        let jobs = bodies.enumerated().map { index, body in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index), model: model.scoring, body: Array(body.utf8),
                inputFormat: formats[index], outputFormat: .csv)
        }
        #expect(jobs.map { Batcher.isAnsweredAlone($0, parallelism: 2) } == [false, true, false, false, true])
        _ = handOff.submit(jobs)
        await batcher.drain()
        #expect(batcher.passCount == 1)
        #expect(batcher.jobCount == 5)
        // The large bodies' replies come when their slices are done, after `drain` returns.
        var replies: [InferenceReply] = []
        for _ in 0..<1000 where replies.count < jobs.count {
            replies += handOff.collect()
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(handOff.isIdle)
        replies.sort { $0.sequence < $1.sequence }
        #expect(replies.map(\.sequence) == [0, 1, 2, 3, 4])
        #expect(replies.map(\.response.status) == [200, 200, 200, 200, 400])
        let answers = replies.map { parseCSV(String(decoding: $0.response.body, as: UTF8.self)) }
        #expect(same(answers[0], model.expected(small[0])))
        #expect(same(answers[1], model.expected(large)))
        #expect(same(answers[2], model.expected([[0.5, 1, -1]])))
        #expect(same(answers[3], model.expected(small[1])))
        #expect(String(decoding: replies[4].response.body, as: UTF8.self).contains("line 40001, column 2"))
    }
}

import CSys

func eventfdForTest() -> Int32 { eventfd(0, Int32(EFD_CLOEXEC)) }
