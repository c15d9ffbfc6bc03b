import Logging
import Foundation
import IOUring
import Model
import Synchronization
import Testing
@testable import Serve

/// A blocking HTTP client over a raw socket, so tests control bytes and timing exactly.
final class RawClient {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw ServeError("connect failed: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return }
            sent += result
        }
    }

    /// Reads one response: (status, headers lower-cased, body); nil at EOF.
    func readResponse(headOnly: Bool = false) -> (status: Int, headers: [String: String], body: String)? {
        readBinaryResponse(headOnly: headOnly).map { ($0.status, $0.headers, String(decoding: $0.body, as: UTF8.self)) }
    }

    /// Reads one response with its body as bytes; nil at EOF.
    func readBinaryResponse(headOnly: Bool = false) -> (status: Int, headers: [String: String], body: [UInt8])? {
        while true {
            if let end = headerEnd() {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
                var headers: [String: String] = [:]
                for line in lines {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
                }
                let length = headOnly ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length { guard fill() else { return nil } }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                if status == 100 { continue }
                return (status, headers, body)
            }
            guard fill() else { return nil }
        }
    }

    func isClosedByPeer() -> Bool {
        buffer.isEmpty && !fill()
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4) where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    func request(_ method: String, _ path: String, body: String = "", headers: [String: String] = [:]) -> (status: Int, headers: [String: String], body: String)? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        write(text)
        return readResponse(headOnly: method == "HEAD")
    }

    /// A POST with a binary body, answered with a binary body.
    func post(_ path: String, bytes body: [UInt8], headers: [String: String]) -> (status: Int, headers: [String: String], body: [UInt8])? {
        var text = "POST \(path) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.count)\r\n\r\n"
        write(Array(text.utf8) + body)
        return readBinaryResponse()
    }
}

/// A model over 3 columns with known predictions, written to a temporary model directory that
/// lives as long as the value (a class, so the directory goes with the last reference).
final class TestModel: Sendable {
    let directory: String
    let evaluator: Evaluator

    /// `bias` tells models apart: each answers its own predictions.
    init(bias: Double = 0.25) throws {
        let features = (0..<3).map { FloatFeature(columnIndex: $0, borders: [-0.5, 0, 0.5, 1]) }
        var trees: [ObliviousTree] = []
        for index in 0..<40 {
            let splits = (0..<4).map { TreeSplit(featureIndex: ($0 + index) % 3, borderIndex: ($0 * 3 + index) % 4) }
            trees.append(ObliviousTree(splits: splits, leafValues: (0..<16).map { Double($0 * (index + 1)) / 100 - 0.3 }))
        }
        let ensemble = Ensemble(features: features, trees: trees, scale: 1, bias: bias)
        evaluator = Evaluator(ensemble)
        directory = NSTemporaryDirectory() + "symmetree-serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try ModelLoader.save(ensemble, to: directory + "/model.symmetree")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func expected(_ rows: [[Float]]) -> [Double] { rows.map { evaluator.predict(row: $0) } }

    /// The model as a batcher job carries it.
    var scoring: ScoringModel { ScoringModel(id: 1, evaluator: evaluator) }
}

func startServer(backend: BackendPreference, model: TestModel, configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> RunningServer {
    try startServer(backend: backend, modelDirectory: model.directory, configure: configure)
}

func startServer(
    backend: BackendPreference, modelDirectory: String, configure: (inout ServerConfiguration) -> Void = { _ in }
) throws -> RunningServer {
    var configuration = ServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.backend = backend
    configuration.modelDirectory = modelDirectory
    configure(&configuration)
    let server = try InferenceService.start(configuration: configuration, logger: .silent)
    // Wait for the model (loaded in the background; slow when other suites load the cores).
    let client = try RawClient(port: server.port)
    for _ in 0..<2000 {
        if client.request("GET", "/ping")?.status == 200 { return server }
        usleep(10_000)
    }
    server.shutdown()
    server.wait()
    throw ServeError("the model did not load within 20 s")
}

func rows(_ count: Int, seed: Int = 1) -> [[Float]] {
    (0..<count).map { row in (0..<3).map { column in Float(((row * 7 + column * 13 + seed) % 29) - 14) / 10 } }
}

func csv(_ rows: [[Float]]) -> String {
    rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
}

func parseCSV(_ body: String) -> [Double] {
    body.split(separator: "\n").compactMap { Double($0) }
}

/// Equal up to summation order: the batch evaluator adds four trees at a time, the single-row
/// walk one at a time, so the last bits may differ.
func same(_ actual: [Double]?, _ expected: [Double]) -> Bool {
    guard let actual, actual.count == expected.count else { return false }
    return zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }
}

extension LiveServerSuites {
    /// The whole contract runs on both backends (io_uring is allowed on this project's machines;
    /// inside default container seccomp only epoll is, and `auto` picks it there).
    @Suite("Inference server", .serialized)
    struct ServerTests {
        static let backends: [BackendPreference] = [.ioUring, .epoll]

        @Test("backend is the one asked for", arguments: backends)
        func backendChoice(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            #expect(server.backend.rawValue == backend.rawValue)
        }

        @Test("ping, predictions in every format, and the errors SageMaker clients see", arguments: backends)
        func contract(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            #expect(client.request("GET", "/ping")?.status == 200)

            let input = rows(5)
            let expected = model.expected(input)
            let csvResponse = try #require(client.request("POST", "/invocations", body: csv(input), headers: ["Content-Type": "text/csv"]))
            #expect(csvResponse.status == 200)
            #expect(csvResponse.headers["content-type"] == "text/csv")
            #expect(same(parseCSV(csvResponse.body), expected))

            let json = "{\"instances\": [" + input.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]}"
            let jsonResponse = try #require(client.request(
                "POST", "/invocations", body: json, headers: ["Content-Type": "application/json", "Accept": "application/json"]))
            #expect(jsonResponse.status == 200)
            let decoded = try JSONSerialization.jsonObject(with: Data(jsonResponse.body.utf8)) as? [String: [[String: Double]]]
            #expect(same(decoded?["predictions"]?.compactMap { $0["score"] }, expected))

            let lines = input.map { "{\"features\": [" + $0.map { "\($0)" }.joined(separator: ",") + "]}" }.joined(separator: "\n")
            let linesResponse = try #require(client.request(
                "POST", "/invocations", body: lines, headers: ["Content-Type": "application/jsonlines", "Accept": "text/csv"]))
            #expect(same(parseCSV(linesResponse.body), expected))

            let bad = client.request("POST", "/invocations", body: "1,2,3\n1,oops,3\n", headers: ["Content-Type": "text/csv"])
            #expect(bad?.status == 400)
            #expect(bad?.body.contains("line 2, column 2") == true)
            #expect(client.request("POST", "/invocations", body: "1,2\n", headers: ["Content-Type": "text/csv"])?.body.contains("2 columns") == true)
            #expect(client.request("POST", "/invocations", body: "", headers: ["Content-Type": "text/csv"])?.status == 400)
            #expect(client.request("POST", "/invocations", body: "x", headers: ["Content-Type": "image/png"])?.status == 415)
            #expect(client.request("POST", "/invocations", body: "1,2,3", headers: ["Content-Type": "text/csv", "Accept": "image/png"])?.status == 406)
            #expect(client.request("GET", "/invocations")?.status == 405)
            #expect(client.request("GET", "/nope")?.status == 404)
            let parameters = try #require(client.request("GET", "/execution-parameters"))
            #expect(parameters.body.contains("\"BatchStrategy\":\"MULTI_RECORD\""))
            // The connection survived every 4xx above (they are answers, not protocol errors).
            #expect(client.request("GET", "/ping")?.status == 200)
        }

        @Test("pipelined requests on one connection come back in order", arguments: backends)
        func pipelined(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let batches = (0..<20).map { rows(1 + $0 % 4, seed: $0) }
            var text = ""
            for batch in batches {
                let body = csv(batch)
                text += "POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            client.write(text)
            for batch in batches {
                let response = try #require(client.readResponse())
                #expect(same(parseCSV(response.body), model.expected(batch)))
            }
        }

        @Test("large bodies go through the batcher; many concurrent clients all get their own answers", arguments: backends)
        func concurrentAndLarge(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) { $0.inlineBodyBytesMax = 64 }
            defer { server.shutdown(); server.wait() }
            let big = rows(10_000, seed: 3)
            let client = try RawClient(port: server.port)
            let response = try #require(client.request("POST", "/invocations", body: csv(big), headers: ["Content-Type": "text/csv"]))
            #expect(same(parseCSV(response.body), model.expected(big)))

            // Blocking clients on their own threads: on Swift's 2-thread cooperative pool they would
            // starve the server's batcher task, which is not what a real deployment looks like.
            let port = server.port
            let failureCount = Mutex(0)
            let done = DispatchGroup()
            for worker in 0..<32 {
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    guard let client = try? RawClient(port: port) else {
                        failureCount.withLock { $0 += 1 }
                        return
                    }
                    for round in 0..<20 {
                        let input = rows(1 + (worker + round) % 40, seed: worker * 100 + round)
                        let answer = client.request("POST", "/invocations", body: csv(input), headers: ["Content-Type": "text/csv"])
                        if !same(answer.map({ parseCSV($0.body) }), model.expected(input)) { failureCount.withLock { $0 += 1 } }
                    }
                }
            }
            done.wait()
            let failures = failureCount.withLock { $0 }
            #expect(failures == 0)
        }

        @Test("abrupt disconnects mid-body and oversized bodies do not disturb other clients", arguments: backends)
        func badClients(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) { $0.limits.bodyBytesMax = 64 * 1024 }
            defer { server.shutdown(); server.wait() }
            for _ in 0..<50 {
                let quitter = try RawClient(port: server.port)
                quitter.write("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n1,2,")
            }
            let huge = try RawClient(port: server.port)
            huge.write("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 10000000\r\n\r\n")
            #expect(huge.readResponse()?.status == 413)
            #expect(huge.isClosedByPeer())
            let client = try RawClient(port: server.port)
            let input = rows(3)
            #expect(same(parseCSV(client.request("POST", "/invocations", body: csv(input), headers: ["Content-Type": "text/csv"])?.body ?? ""), model.expected(input)))
        }

        @Test("a slow client gets 408", arguments: backends)
        func slowClient(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) { $0.requestTimeoutSeconds = 0.3 }
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            client.write("POST /invocations HTTP/1.1\r\nContent-Length: 10\r\n\r\n1,")
            #expect(client.readResponse()?.status == 408)
            // Slowloris: a byte every 100 ms keeps the connection active but must not extend the request.
            let loris = try RawClient(port: server.port)
            var status: Int?
            for byte in Array("POST /invocations HTTP/1.1\r\nContent-Length: 10\r\nX-Slow: aaaaaaaaaaaaaaaa".utf8) {
                loris.write([byte])
                usleep(100_000)
                var ready = pollfd(fd: loris.fd, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 0) > 0 {
                    status = loris.readResponse()?.status
                    break
                }
            }
            #expect(status == 408)
        }

        @Test("shutdown finishes a request still arriving, then stops", arguments: backends)
        func drain(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            let client = try RawClient(port: server.port)
            let body = csv(rows(2))
            client.write("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            usleep(50_000)
            server.shutdown()
            usleep(50_000)
            client.write(body)
            let response = try #require(client.readResponse())
            #expect(response.status == 200)
            #expect(same(parseCSV(response.body), model.expected(rows(2))))
            #expect(response.headers["connection"] == "close")
            server.wait()
            #expect(throws: (any Error).self) { try RawClient(port: server.port) }
        }

        @Test("a missing model: /ping says why, /invocations is 503", arguments: backends)
        func missingModel(backend: BackendPreference) throws {
            var configuration = ServerConfiguration()
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configuration.backend = backend
            configuration.modelDirectory = NSTemporaryDirectory() + "no-such-model-\(UUID().uuidString)"
            let server = try InferenceService.start(configuration: configuration, logger: .silent)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            var ping = client.request("GET", "/ping")
            for _ in 0..<100 where ping?.status == 503 {
                usleep(10_000)
                ping = client.request("GET", "/ping")
            }
            #expect(ping?.status == 500)
            #expect(ping?.body.contains("does not exist") == true)
            #expect(client.request("POST", "/invocations", body: "1,2,3", headers: ["Content-Type": "text/csv"])?.status == 503)
        }
    }
}
