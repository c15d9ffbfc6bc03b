import Logging
import Foundation
import IOUring
import Model
import Testing
@testable import Serve

extension LiveServerSuites {
    /// Regression tests for what an adversarial probe found in the server: answers that pile up for
    /// a client that never reads, HEAD answers with bodies, set-up failures that crashed, times that
    /// overflowed, models that are not regular files, accept spinning at the descriptor limit.
    @Suite("Server robustness", .serialized)
    struct ServerRobustnessTests {
        static let backends: [BackendPreference] = [.ioUring, .epoll]

        @Test("HEAD gets every GET header and no body; Allow matches what is answered", arguments: backends)
        func head(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let parameters = try #require(client.request("GET", "/execution-parameters"))
            for (path, status) in [("/ping", 200), ("/execution-parameters", 200), ("/invocations", 405), ("/nope", 404)] {
                let answer = try #require(client.request("HEAD", path), "HEAD \(path)")
                #expect(answer.status == status, "HEAD \(path)")
                #expect(answer.body.isEmpty)
                if path == "/execution-parameters" { #expect(answer.headers["content-length"] == "\(parameters.body.utf8.count)") }
                if path == "/invocations" { #expect(answer.headers["allow"] == "POST") }
                // A body after the head would be read here as the next response's start.
                #expect(client.request("GET", "/ping")?.status == 200, "after HEAD \(path)")
            }
            for path in ["/ping", "/execution-parameters"] {
                let refused = try #require(client.request("POST", path))
                #expect(refused.status == 405)
                #expect(refused.headers["allow"] == "GET, HEAD")
                #expect(client.request("HEAD", path)?.status == 200, "Allow says HEAD works on \(path)")
            }
        }

        /// One request's bytes and the server's whole answer to it (the same for every copy).
        static let pipelinedRequest = Array(
            "POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nAccept: application/json\r\nContent-Length: 4\r\n\r\n,,\r\n".utf8)

        @Test("a client that pipelines and never reads is stopped by TCP, and every request is answered once it reads", arguments: backends)
        func backpressure(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model)
            defer { server.shutdown(); server.wait() }
            let probe = try RawClient(port: server.port)
            probe.write(Self.pipelinedRequest)
            let answer = try #require(probe.readResponse())
            #expect(answer.status == 200)
            let answerBytes = serializedLength(answer)

            let hog = try RawClient(port: server.port)
            let block = [UInt8]((0..<1000).flatMap { _ in Self.pipelinedRequest })
            var sent = 0
            let deadline = Date().addingTimeInterval(20)
            var blocked = false
            while sent < 200_000_000, Date() < deadline {
                // Resume where a partial send stopped: the stream must stay whole requests.
                let offset = sent % block.count
                let result = block.withUnsafeBytes {
                    send(hog.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                }
                if result > 0 {
                    sent += result
                    continue
                }
                var writable = pollfd(fd: hog.fd, events: Int16(POLLOUT), revents: 0)
                if poll(&writable, 1, 1000) == 0 {
                    blocked = true
                    break
                }
            }
            // Before the fix the server read and answered everything, queueing the answers in memory.
            #expect(blocked, "the server kept reading: \(sent) bytes taken")
            #expect(sent < 64_000_000)
            // Meanwhile other clients are served.
            #expect(probe.request("GET", "/ping")?.status == 200)
            // Everything fully sent is answered, in order, once the client reads.
            let requestCount = sent / Self.pipelinedRequest.count
            var received = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while received < requestCount * answerBytes {
                let count = chunk.withUnsafeMutableBytes { recv(hog.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received += count
            }
            #expect(received == requestCount * answerBytes)
        }

        @Test("custom attributes are echoed on inline, batched and refused invocations; the default Accept applies",
              arguments: backends)
        func customAttributesAndDefaultAccept(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) {
                $0.defaultAccept = .json
                $0.inlineBodyBytesMax = 64  // the larger body below goes to the batcher
            }
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            for (rowCount, attributes) in [(1, "trace=1"), (40, "trace=40, c1=x")] {
                let sample = rows(rowCount, seed: rowCount)
                let answer = try #require(client.request(
                    "POST", "/invocations", body: csv(sample),
                    headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": attributes]))
                #expect(answer.status == 200)
                #expect(answer.headers["x-amzn-sagemaker-custom-attributes"] == attributes, "\(rowCount) rows")
                #expect(answer.headers["content-type"] == "application/json", "no Accept: the default")
            }
            let refused = try #require(client.request(
                "POST", "/invocations", body: "1,2\n", headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": "a=b"]))
            #expect(refused.status == 400)
            #expect(refused.headers["x-amzn-sagemaker-custom-attributes"] == "a=b")
            let plain = try #require(client.request("POST", "/invocations", body: csv(rows(1)), headers: ["Content-Type": "text/csv"]))
            #expect(plain.headers["x-amzn-sagemaker-custom-attributes"] == nil)
        }

        @Test("with a budget of one pipelined request a turn, three pipelining clients each get every answer, in order",
              arguments: backends)
        func pipelinedBudget(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) { $0.pipelinedRequestsPerTurn = 1 }
            defer { server.shutdown(); server.wait() }
            let clients = try (0..<3).map { _ in try RawClient(port: server.port) }
            let batches = (0..<60).map { rows(1 + $0 % 3, seed: $0) }
            let text = batches.map { batch in
                let body = csv(batch)
                return "POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }.joined()
            // All three queue their requests before any answer is read: turns must take turns.
            for client in clients { client.write(text) }
            for (index, client) in clients.enumerated() {
                for (number, batch) in batches.enumerated() {
                    let response = try #require(client.readResponse(), "client \(index), request \(number)")
                    #expect(response.status == 200)
                    #expect(same(parseCSV(response.body), model.expected(batch)), "client \(index), request \(number)")
                }
            }
        }

        @Test("a body refused while it streams: the client reads the 413 instead of a reset", arguments: backends)
        func refusalWhileStreaming(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) { $0.limits.bodyBytesMax = 1 << 20 }
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            client.write("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 3000000\r\n\r\n")
            // The whole body, as a client that looks for the answer only afterwards sends it.
            // Before the server lingered, it closed at once: these sends met a reset (a client
            // like urllib3 then raises and never reads the 413), and across a network the reset
            // also discards a 413 still unacknowledged.
            let chunk = [UInt8](repeating: UInt8(ascii: "1"), count: 60_000)
            var failedSends = 0
            for _ in 0..<50 {
                let sent = chunk.withUnsafeBytes { send(client.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 { failedSends += 1 }
            }
            #expect(failedSends == 0)
            let answer = try #require(client.readResponse(), "no answer: the connection was reset")
            #expect(answer.status == 413)
            #expect(answer.headers["connection"] == "close")
        }

        func serializedLength(_ answer: (status: Int, headers: [String: String], body: String)) -> Int {
            HTTPResponse(status: answer.status, contentType: answer.headers["content-type"], body: Array(answer.body.utf8))
                .serialized(keepAlive: true).count
        }

        @Test("an io_uring set-up step that fails falls back to epoll under auto and is a clear error when io_uring is forced",
              arguments: URingSetupFailure.Step.allCases)
        func uringSetupFailure(step: URingSetupFailure.Step) throws {
            let model = try TestModel()
            for errno in [EINVAL, EPERM, ENOMEM] {
                let failure = URingSetupFailure(step: step, errno: errno)
                let server = try startServer(backend: .auto, model: model) { $0.ioUringSetupFailure = failure }
                #expect(server.backend == .epoll)
                let client = try RawClient(port: server.port)
                #expect(client.request("POST", "/invocations", body: "1,2,3\n", headers: ["Content-Type": "text/csv"])?.status == 200)
                server.shutdown()
                server.wait()
                var configuration = ServerConfiguration()
                configuration.host = "127.0.0.1"
                configuration.port = 0
                configuration.backend = .ioUring
                configuration.modelDirectory = model.directory
                configuration.ioUringSetupFailure = failure
                #expect {
                    _ = try InferenceService.start(configuration: configuration, logger: .silent)
                } throws: { error in
                    "\(error)".contains(String(cString: strerror(errno)))
                }
            }
        }

        @Test("numeric environment values outside a representable range are refused at start-up",
              arguments: ["inf", "-inf", "nan", "1e300", "1e11", "0", "-1", "", "60s"])
        func badTimeout(value: String) {
            #expect(throws: ServeError.self) {
                _ = try ServerConfiguration.fromEnvironment { $0 == "SAGEMAKER_MODEL_SERVER_TIMEOUT" ? value : nil }
            }
        }

        @Test("good environment values are taken")
        func goodEnvironment() throws {
            let values = ["SAGEMAKER_MODEL_SERVER_TIMEOUT": "3600", "SAGEMAKER_BIND_TO_PORT": "9090", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "100"]
            let configuration = try ServerConfiguration.fromEnvironment { values[$0] }
            #expect(configuration.modelServerTimeoutSeconds == 3600)
            #expect(configuration.port == 9090)
            #expect(configuration.limits.bodyBytesMax == 100 * 1024 * 1024)
            // Batch transform's streaming setting: bodies up to SageMaker's own 100 MB.
            let streaming = try ServerConfiguration.fromEnvironment { $0 == "SAGEMAKER_MAX_PAYLOAD_IN_MB" ? "0" : nil }
            #expect(streaming.limits.bodyBytesMax == 100 * 1024 * 1024)
            let accepting = try ServerConfiguration.fromEnvironment {
                $0 == "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT" ? "application/jsonlines" : nil
            }
            #expect(accepting.defaultAccept == .jsonLines)
            #expect(ServerConfiguration().drainTimeoutSeconds < 30, "SageMaker kills 30 s after SIGTERM")
            for (name, value) in [("SAGEMAKER_BIND_TO_PORT", "0"), ("SAGEMAKER_BIND_TO_PORT", "70000"), ("SAGEMAKER_MAX_PAYLOAD_IN_MB", "101"),
                                  ("SAGEMAKER_MAX_PAYLOAD_IN_MB", "-1"), ("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "image/png"),
                                  ("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/libsvm")] {
                #expect(throws: ServeError.self, "\(name)=\(value)") { _ = try ServerConfiguration.fromEnvironment { $0 == name ? value : nil } }
            }
        }

        @Test("times convert to nanoseconds without trapping")
        func saturatingTimes() {
            #expect(Nanoseconds.saturating(seconds: .infinity) == .max)
            #expect(Nanoseconds.saturating(seconds: 1e300) == .max)
            #expect(Nanoseconds.saturating(seconds: 1e11) == .max)
            #expect(Nanoseconds.saturating(seconds: .nan) == 0)
            #expect(Nanoseconds.saturating(seconds: 1.5) == 1_500_000_000)
            #expect(Nanoseconds.adding(seconds: 1e300, to: 5) == .max)
            #expect(Nanoseconds.adding(seconds: 1, to: .max - 10) == .max)
        }

        @Test("a server configured with endless timeouts sweeps them without trapping", arguments: backends)
        func endlessTimeouts(backend: BackendPreference) throws {
            let model = try TestModel()
            let server = try startServer(backend: backend, model: model) {
                $0.modelServerTimeoutSeconds = .infinity
                $0.idleTimeoutSeconds = 1e300
                $0.requestTimeoutSeconds = 1e11
            }
            defer { server.shutdown(); server.wait() }
            usleep(300_000)  // several sweeps (every 100 ms) run
            let client = try RawClient(port: server.port)
            #expect(client.request("POST", "/invocations", body: "1,2,3\n", headers: ["Content-Type": "text/csv"])?.status == 200)
        }

        @Test("only regular files are model candidates; a file named as the model folder is said to be one")
        func modelLocator() throws {
            let directory = NSTemporaryDirectory() + "symmetree-locator-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(mkfifo(directory + "/model.json", 0o600) == 0)
            #expect {
                _ = try ModelLocator.find(in: directory)
            } throws: { error in
                "\(error)".contains("not regular files: \(directory)/model.json")
            }
            let model = try TestModel()
            #expect(throws: Never.self) { _ = try ModelLocator.find(in: model.directory) }
            #expect {
                _ = try ModelLocator.find(in: model.directory + "/model.symmetree")
            } throws: { error in
                "\(error)".contains("is not a directory")
            }
            #expect {
                _ = try ModelLocator.find(in: directory + "/missing")
            } throws: { error in
                "\(error)".contains("does not exist")
            }
        }
    }
}
