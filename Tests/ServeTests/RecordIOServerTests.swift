import IOUring
import Testing
@testable import Serve

extension LiveServerSuites {
    @Suite("RecordIO-protobuf on /invocations", .serialized)
    struct RecordIOServerTests {
        static let recordIO = "application/x-recordio-protobuf"

        @Test("an SDK-written body scores as the same rows sent as CSV; recordio answers carry those scores", arguments: ServerTests.backends)
        func fixtureBody(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let rows = try RecordIOFixtures.rows("dense_float32")
            let body = try RecordIOFixtures.body("dense_float32")

            let csvResponse = try #require(client.request("POST", "/invocations", body: csv(rows), headers: ["Content-Type": "text/csv"]))
            let csvScores = parseCSV(csvResponse.body)
            #expect(same(csvScores, model.expected(rows)))

            let asCSV = try #require(client.post("/invocations", bytes: body, headers: ["Content-Type": Self.recordIO, "Accept": "text/csv"]))
            #expect(asCSV.status == 200)
            #expect(parseCSV(String(decoding: asCSV.body, as: UTF8.self)) == csvScores)

            // No Accept: answered in the request's format.
            let asRecords = try #require(client.post("/invocations", bytes: body, headers: ["Content-Type": Self.recordIO]))
            #expect(asRecords.status == 200)
            #expect(asRecords.headers["content-type"] == Self.recordIO)
            #expect(try RecordIOAnswer.scores(asRecords.body) == csvScores.map { Float($0) })

            let truncated = try #require(client.post("/invocations", bytes: Array(body.dropLast(4)), headers: ["Content-Type": Self.recordIO]))
            #expect(truncated.status == 400)
            #expect(String(decoding: truncated.body, as: UTF8.self).contains("RecordIO record 5 at byte"))
            let unsupported = client.request("POST", "/invocations", body: "x", headers: ["Content-Type": "image/png"])
            #expect(unsupported?.status == 415)
            #expect(unsupported?.body.contains(Self.recordIO) == true)
            let unacceptable = client.request("POST", "/invocations", body: "1,2,3", headers: ["Content-Type": "text/csv", "Accept": "image/png"])
            #expect(unacceptable?.status == 406)
            #expect(unacceptable?.body.contains(Self.recordIO) == true)
            #expect(client.request("GET", "/ping")?.status == 200)
        }

        @Test("a large body goes through the batcher; its recordio answer is encoded in slices, in order", arguments: ServerTests.backends)
        func largeBody(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let input = rows(5000, seed: 3)
            // Sparse and dense rows alike (absent sparse columns are 0).
            let body = try input.enumerated().flatMap { index, row in
                index % 2 == 0
                    ? recordIOFrame(try recordPayload(float32Value(row)))
                    : recordIOFrame(try recordPayload(float32Value([row[2], row[0]], keys: [2, 0], shape: [3])))
            }
            let sent = input.enumerated().map { index, row in index % 2 == 0 ? row : [row[0], 0, row[2]] }
            #expect(body.count > ServerConfiguration().inlineBodyBytesMax)

            let response = try #require(client.post("/invocations", bytes: body, headers: ["Content-Type": Self.recordIO, "Accept": Self.recordIO]))
            #expect(response.status == 200)
            let scores = try RecordIOAnswer.scores(response.body)
            let expected = model.expected(sent)
            #expect(scores.count == expected.count)
            #expect(zip(scores, expected).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) })
        }
    }
}
