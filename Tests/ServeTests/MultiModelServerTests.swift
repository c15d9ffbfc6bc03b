import Logging
import Foundation
import IOUring
import Model
import Synchronization
import Testing
@testable import Serve

/// Starts a multi-model endpoint (no model folder) and waits until /ping answers.
func startMultiModelServer(backend: BackendPreference, budgetBytes: Int? = nil) throws -> RunningServer {
    var configuration = ServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.backend = backend
    configuration.multiModel = true
    configuration.modelDirectory = "/nonexistent"
    configuration.modelMemoryBudgetBytes = budgetBytes
    let server = try InferenceService.start(configuration: configuration, logger: .silent)
    let client = try RawClient(port: server.port)
    guard client.request("GET", "/ping")?.status == 200 else {
        server.shutdown()
        server.wait()
        throw ServeError("a multi-model endpoint did not answer /ping")
    }
    return server
}

extension RawClient {
    func load(_ name: String, _ directory: String) -> (status: Int, headers: [String: String], body: String)? {
        request("POST", "/models", body: #"{"model_name": "\#(name)", "url": "\#(directory)"}"#, headers: ["Content-Type": "application/json"])
    }

    func invoke(_ name: String, _ input: [[Float]]) -> (status: Int, headers: [String: String], body: String)? {
        request("POST", "/models/\(PercentEncoding.encode(name))/invoke", body: csv(input), headers: ["Content-Type": "text/csv"])
    }
}

func jsonObject(_ body: String?) -> [String: Any]? {
    body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

extension LiveServerSuites {
    @Suite("Multi-model endpoint", .serialized)
    struct MultiModelServerTests {
        static let backends: [BackendPreference] = [.ioUring, .epoll]

        @Test("the container API: load, list, describe, invoke, unload, and their errors", arguments: backends)
        func api(backend: BackendPreference) throws {
            let models = try [TestModel(bias: 0), TestModel(bias: 5)]
            let server = try startMultiModelServer(backend: backend)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            #expect(client.request("GET", "/ping")?.status == 200)
            #expect(client.request("POST", "/invocations", body: "1,2,3\n")?.status == 404)
            #expect(jsonObject(client.request("GET", "/models")?.body)?["models"] as? [Any] != nil)

            let first = client.load("first.tar.gz", models[0].directory)
            #expect(first?.status == 200)
            #expect(first?.body.contains("loaded") == true)
            #expect(client.load("first.tar.gz", models[1].directory)?.status == 409)
            // A file named directly loads too.
            #expect(client.load("second model", models[1].directory + "/model.symmetree")?.status == 200)

            let input = rows(4)
            #expect(same(parseCSV(client.invoke("first.tar.gz", input)?.body ?? ""), models[0].expected(input)))
            #expect(same(parseCSV(client.invoke("second model", input)?.body ?? ""), models[1].expected(input)))
            let json = try #require(client.request(
                "POST", "/models/second%20model/invoke", body: "[[0.5, 1, -1]]",
                headers: ["Content-Type": "application/json", "Accept": "application/jsonlines", "X-Amzn-SageMaker-Custom-Attributes": "trace=7"]))
            #expect(json.status == 200)
            #expect(json.headers["content-type"] == "application/jsonlines")
            #expect(json.headers["x-amzn-sagemaker-custom-attributes"] == "trace=7")
            // Every input format /invocations takes: here SageMaker's RecordIO-protobuf, answered in kind.
            let records = try #require(client.post(
                "/models/second%20model/invoke", bytes: try RecordIOFixtures.body("dense_float32"),
                headers: ["Content-Type": "application/x-recordio-protobuf"]))
            #expect(records.status == 200)
            let recordRows = try RecordIOFixtures.rows("dense_float32")
            #expect(try RecordIOAnswer.scores(records.body) == models[1].expected(recordRows).map { Float($0) })
            #expect(client.request("POST", "/models/first.tar.gz/invoke", body: "1,x,3\n", headers: ["Content-Type": "text/csv"])?.status == 400)
            #expect(client.request("POST", "/models/first.tar.gz/invoke", body: "1,2,3\n", headers: ["Content-Type": "image/png"])?.status == 415)

            let described = jsonObject(client.request("GET", "/models/first.tar.gz")?.body)
            #expect(described?["modelName"] as? String == "first.tar.gz")
            #expect(described?["modelUrl"] as? String == models[0].directory)
            #expect((described?["residentBytes"] as? Int ?? 0) == models[0].evaluator.residentBytes)
            let listed = jsonObject(client.request("GET", "/models")?.body)?["models"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["modelName"] as? String } == ["first.tar.gz", "second model"])

            for missing in ["/models/nope", "/models/nope/invoke"] {
                let method = missing.hasSuffix("invoke") ? "POST" : "GET"
                let answer = client.request(method, missing, body: method == "POST" ? "1,2,3\n" : "")
                #expect(answer?.status == 404)
                #expect(answer?.body.contains("nope is not loaded") == true)
            }
            #expect(client.request("DELETE", "/models/nope")?.status == 404)
            #expect(client.request("PUT", "/models")?.status == 405)
            #expect(client.request("GET", "/models/%zz")?.status == 400)
            #expect(client.request("POST", "/models", body: "{}")?.status == 400)
            let badURL = client.load("ghost", "/nonexistent/folder")
            #expect(badURL?.status == 400)
            #expect(badURL?.body.contains("does not exist") == true)
            // A failed load leaves the name free.
            #expect(client.load("ghost", models[0].directory)?.status == 200)

            #expect(client.request("DELETE", "/models/first.tar.gz")?.status == 200)
            #expect(client.invoke("first.tar.gz", input)?.status == 404)
            #expect(client.request("GET", "/models/first.tar.gz")?.status == 404)
            #expect(client.load("first.tar.gz", models[1].directory)?.status == 200)
            #expect(same(parseCSV(client.invoke("first.tar.gz", input)?.body ?? ""), models[1].expected(input)))
        }

        @Test("list pages follow nextPageToken until none is given", arguments: backends)
        func paging(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startMultiModelServer(backend: backend)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let names = (0..<7).map { "model \($0)/ü" }
            for name in names.shuffled() { #expect(client.load(name, model.directory)?.status == 200) }
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let query = "?page_size=3" + (token.map { "&next_page_token=" + PercentEncoding.encode($0) } ?? "")
                let page = try #require(jsonObject(client.request("GET", "/models" + query)?.body))
                seen += (page["models"] as? [[String: Any]] ?? []).compactMap { $0["modelName"] as? String }
                token = page["nextPageToken"] as? String
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == names)
            #expect(client.request("GET", "/models?page_size=0")?.status == 400)
        }

        @Test("507 when the budget is full, and loads succeed again after unloads", arguments: backends)
        func budget(backend: BackendPreference) throws {
            let model = try TestModel()
            let size = model.evaluator.residentBytes
            let server = try startMultiModelServer(backend: backend, budgetBytes: size * 3)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            for index in 0..<3 { #expect(client.load("m\(index)", model.directory)?.status == 200) }
            let refused = client.load("m3", model.directory)
            #expect(refused?.status == 507)
            #expect(refused?.body.contains("unload") == true)
            #expect(client.request("GET", "/models/m3")?.status == 404)
            #expect(client.invoke("m0", rows(2))?.status == 200)
            #expect(client.request("DELETE", "/models/m1")?.status == 200)
            #expect(client.load("m3", model.directory)?.status == 200)
            #expect(client.load("m4", model.directory)?.status == 507)
            #expect(same(parseCSV(client.invoke("m3", rows(2))?.body ?? ""), model.expected(rows(2))))
        }

        @Test("concurrent loads, unloads and invokes: every answer is its model's, or 404", arguments: backends)
        func concurrency(backend: BackendPreference) throws {
            let models = try (0..<4).map { try TestModel(bias: Double($0) * 3) }
            let server = try startMultiModelServer(backend: backend)
            defer { server.shutdown(); server.wait() }
            let setup = try RawClient(port: server.port)
            for index in 0..<4 { #expect(setup.load("m\(index)", models[index].directory)?.status == 200) }
            let failures = Mutex<[String]>([])
            let counts = Mutex<(answered: Int, notLoaded: Int)>((0, 0))
            let large = rows(3000, seed: 3)
            var threads: [Thread] = []
            let done = DispatchGroup()
            // Invokers: models 2 and 3 come and go; 0 and 1 stay and must always answer.
            for worker in 0..<6 {
                done.enter()
                threads.append(Thread {
                    defer { done.leave() }
                    guard let client = try? RawClient(port: server.port) else { return }
                    for round in 0..<60 {
                        let index = (worker + round) % 4
                        let input = round % 10 == 0 ? large : rows(1 + round % 5, seed: worker)
                        guard let answer = client.invoke("m\(index)", input) else {
                            failures.withLock { $0.append("m\(index): no answer") }
                            return
                        }
                        if answer.status == 404, index >= 2 {
                            counts.withLock { $0.notLoaded += 1 }
                        } else if answer.status == 200, same(parseCSV(answer.body), models[index].expected(input)) {
                            counts.withLock { $0.answered += 1 }
                        } else {
                            failures.withLock { $0.append("m\(index): \(answer.status) \(answer.body.prefix(80))") }
                        }
                    }
                })
            }
            // Loaders: unload and reload models 2 and 3 meanwhile.
            for index in 2..<4 {
                done.enter()
                threads.append(Thread {
                    defer { done.leave() }
                    guard let client = try? RawClient(port: server.port) else { return }
                    for _ in 0..<25 {
                        let unloaded = client.request("DELETE", "/models/m\(index)")?.status
                        let loaded = client.load("m\(index)", models[index].directory)?.status
                        if unloaded != 200 || loaded != 200 {
                            failures.withLock { $0.append("m\(index): unload \(unloaded ?? 0), load \(loaded ?? 0)") }
                        }
                    }
                })
            }
            threads.forEach { $0.start() }
            #expect(done.wait(timeout: .now() + 120) == .success)
            #expect(failures.withLock { $0 } == [])
            let (answered, notLoaded) = counts.withLock { $0 }
            #expect(answered + notLoaded == 6 * 60)
            #expect(answered > 6 * 60 / 2)
            let listed = jsonObject(setup.request("GET", "/models")?.body)?["models"] as? [[String: Any]]
            #expect(listed?.count == 4)
        }
    }
}
