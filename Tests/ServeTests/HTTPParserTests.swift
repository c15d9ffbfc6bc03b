import Testing
@testable import Serve

/// Feeds `text` to a fresh connection in pieces of `chunk` bytes and collects every action.
func drive(_ text: String, chunk: Int = .max, limits: HTTPLimits = HTTPLimits()) -> [HTTPConnection.Action] {
    var connection = HTTPConnection(limits: limits)
    var actions: [HTTPConnection.Action] = []
    let bytes = Array(text.utf8)
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + max(1, min(chunk, bytes.count)))
        var new = bytes[start..<end].withUnsafeBytes { connection.received($0) }
        // Answer every request at once with its body echoed, to exercise pipelining.
        while let index = new.firstIndex(where: { if case .handle = $0 { true } else { false } }) {
            guard case .handle(let request) = new[index] else { break }
            actions += new[..<index]
            actions.append(new[index])
            let rest = Array(new[(index + 1)...])
            new = connection.respond(HTTPResponse(status: 200, body: request.body)) + rest
        }
        actions += new
        start = end
    }
    return actions
}

func requests(_ actions: [HTTPConnection.Action]) -> [HTTPRequest] {
    actions.compactMap { if case .handle(let request) = $0 { request } else { nil } }
}

func sentText(_ actions: [HTTPConnection.Action]) -> String {
    actions.compactMap { action in
        switch action {
        case .send(let response, let keepAlive): String(decoding: response.serialized(keepAlive: keepAlive), as: UTF8.self)
        case .sendContinue: "HTTP/1.1 100 Continue\r\n\r\n"
        default: nil
        }
    }.joined()
}

@Suite("HTTP/1.1 parsing")
struct HTTPParserTests {
    @Test("a request split at every byte boundary parses the same", arguments: [1, 2, 3, 7, 64, Int.max])
    func splitAnywhere(chunk: Int) {
        let text = "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 11\r\n\r\n1,2,3\n4,5,6"
        let parsed = requests(drive(text, chunk: chunk))
        #expect(parsed.count == 1)
        #expect(parsed.first?.body == Array("1,2,3\n4,5,6".utf8))
        #expect(parsed.first?.header("content-type") == "text/csv")
        #expect(parsed.first?.keepAlive == true)
    }

    @Test("pipelined requests are answered in order")
    func pipelining() {
        let text = (1...5).map { "POST /invocations HTTP/1.1\r\nContent-Length: 1\r\n\r\n\($0)" }.joined() + "GET /ping HTTP/1.1\r\n\r\n"
        let actions = drive(text, chunk: 13)
        #expect(requests(actions).map { String(decoding: $0.body, as: UTF8.self) } == ["1", "2", "3", "4", "5", ""])
        #expect(sentText(actions).hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2"))
        #expect(sentText(actions).hasSuffix("Content-Length: 1\r\n\r\n5HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    }

    @Test("large bodies: alone (buffer handed over) or followed by a pipelined request (copied)", arguments: [4096, Int.max])
    func largeBodies(chunk: Int) {
        let body = String(repeating: "0.25,1.5,-3\n", count: 2 * HTTPRequestParser.bodyMoveLengthMin / 12)
        let head = "POST /invocations HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let alone = requests(drive(head + body, chunk: chunk))
        #expect(alone.map(\.body) == [Array(body.utf8)])
        let followed = requests(drive(head + body + head + body + "GET /ping HTTP/1.1\r\n\r\n", chunk: chunk))
        #expect(followed.map(\.body) == [Array(body.utf8), Array(body.utf8), []])
        #expect(followed.map(\.path) == ["/invocations", "/invocations", "/ping"])
    }

    @Test("chunked bodies with extensions and trailers")
    func chunked() {
        let text = "POST /invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n1,2,\r\n3\r\n3\n4\r\n0\r\nX-Trailer: y\r\n\r\n"
        for chunk in [1, 5, Int.max] {
            #expect(requests(drive(text, chunk: chunk)).first?.body == Array("1,2,3\n4".utf8))
        }
    }

    @Test("Expect: 100-continue gets an interim response before the body")
    func expectContinue() {
        var connection = HTTPConnection()
        let head = Array("POST /invocations HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n".utf8)
        let first = head.withUnsafeBytes { connection.received($0) }
        #expect(first == [.sendContinue])
        let second = Array("1,2".utf8).withUnsafeBytes { connection.received($0) }
        #expect(requests(second).first?.body == Array("1,2".utf8))
    }

    @Test("malformed and oversized requests get the right status and close",
          arguments: [
            ("GARBAGE\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\n\r\n", 505),
            ("GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000) + "\r\n\r\n", 431),
            ("GET / HTTP/1.1\r\nExpect: something\r\n\r\n", 417),
          ] as [(String, Int)])
    func failures(text: String, status: Int) {
        let actions = drive(text, limits: HTTPLimits(headerBytesMax: 16 * 1024, bodyBytesMax: 1024 * 1024))
        #expect(sentText(actions).hasPrefix("HTTP/1.1 \(status) "), "\(sentText(actions).prefix(60))")
        #expect(sentText(actions).contains("Connection: close"))
        #expect(actions.last == .closeDiscardingInput)
        #expect(requests(actions).isEmpty)
    }

    @Test("chunked body over the limit is 413 while it streams")
    func chunkedLimit() {
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + String(repeating: "a", count: 1024) + "\r\n400\r\n"
        let actions = drive(text, limits: HTTPLimits(headerBytesMax: 1024, bodyBytesMax: 1500))
        #expect(sentText(actions).hasPrefix("HTTP/1.1 413"))
    }

    @Test("keep-alive rules: HTTP/1.0 closes unless asked, Connection: close closes")
    func keepAlive() {
        #expect(requests(drive("GET /ping HTTP/1.0\r\n\r\n")).first?.keepAlive == false)
        #expect(requests(drive("GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).first?.keepAlive == true)
        let closing = drive("GET /ping HTTP/1.1\r\nConnection: close\r\n\r\nGET /ping HTTP/1.1\r\n\r\n")
        #expect(requests(closing).count == 1)
        #expect(sentText(closing).contains("Connection: close"))
        #expect(closing.last == .close)
    }

    @Test("draining answers a request still arriving, then closes; a half-closed peer's partial request is dropped")
    func draining() {
        var connection = HTTPConnection()
        _ = Array("POST /invocations HTTP/1.1\r\nContent-Length: 3\r\n\r\n1".utf8).withUnsafeBytes { connection.received($0) }
        #expect(connection.finishAfterCurrent(peerClosed: false).isEmpty)
        let rest = Array(",2".utf8).withUnsafeBytes { connection.received($0) }
        #expect(requests(rest).count == 1)
        let answer = connection.respond(HTTPResponse(status: 200))
        #expect(sentText(answer).contains("Connection: close"))
        #expect(answer.last == .close)

        var halfClosed = HTTPConnection()
        _ = Array("POST /invocations HTTP/1.1\r\nContent-Length: 3\r\n\r\n1".utf8).withUnsafeBytes { halfClosed.received($0) }
        #expect(halfClosed.finishAfterCurrent(peerClosed: true) == [.close])
    }

    @Test("a slow client mid-request gets 408; an idle one is just closed")
    func timeouts() {
        var slow = HTTPConnection()
        _ = Array("POST /invocations HTTP/1.1\r\nContent-Le".utf8).withUnsafeBytes { slow.received($0) }
        #expect(slow.isMidRequest)
        #expect(sentText(slow.expire(at: 31_000_000_000)).hasPrefix("HTTP/1.1 408"))
        var idle = HTTPConnection()
        #expect(idle.isIdle)
        #expect(idle.expire(at: 66_000_000_000) == [.close])
    }
}

/// The connection's clock inputs, driven by a fake clock: instants are plain nanosecond counts.
@Suite("HTTP/1.1 connection timeouts and drain")
struct HTTPConnectionClockTests {
    static let second: UInt64 = 1_000_000_000
    static let timeouts = HTTPConnection.Timeouts(idle: 10 * second, request: 5 * second, response: 3 * second)

    func feed(_ connection: inout HTTPConnection, _ text: String, at now: UInt64) -> [HTTPConnection.Action] {
        Array(text.utf8).withUnsafeBytes { connection.received($0, at: now) }
    }

    @Test("idle: closed only after the idle timeout since the last byte or answer")
    func idle() {
        let s = Self.second
        var connection = HTTPConnection(timeouts: Self.timeouts, now: 100 * s)
        #expect(connection.expire(at: 110 * s) == [])
        #expect(requests(feed(&connection, "GET /ping HTTP/1.1\r\n\r\n", at: 109 * s)).count == 1)
        #expect(connection.expire(at: 111 * s) == [], "awaiting an answer is not idle")
        _ = connection.respond(HTTPResponse(status: 200), at: 111 * s)
        #expect(connection.expire(at: 121 * s) == [])
        #expect(connection.expire(at: 121 * s + 1) == [.close])
        #expect(connection.expire(at: 200 * s) == [], "closing already")
    }

    @Test("slow client: timed from the request's first byte, so a byte a second does not extend it")
    func slowClient() {
        let s = Self.second
        var connection = HTTPConnection(timeouts: Self.timeouts, now: 0)
        let head = Array("POST /invocations HTTP/1.1\r\nContent-Length: 100\r\n\r\n".utf8)
        for (index, byte) in head.enumerated() {
            _ = [byte].withUnsafeBytes { connection.received($0, at: 20 * s + UInt64(index) * s / 10) }
            #expect(connection.expire(at: 20 * s + UInt64(index) * s / 10) == [])
        }
        #expect(connection.expire(at: 25 * s) == [])
        let refused = connection.expire(at: 25 * s + 1)
        #expect(sentText(refused).hasPrefix("HTTP/1.1 408"))
        #expect(refused.last == .closeDiscardingInput)
        // A pipelined request already buffered starts its clock when the one before is answered.
        var pipelined = HTTPConnection(timeouts: Self.timeouts, now: 0)
        _ = feed(&pipelined, "GET /ping HTTP/1.1\r\n\r\nPOST /invocations HTTP/1.1\r\nContent-Length: 5\r\n\r\n1", at: 0)
        _ = pipelined.respond(HTTPResponse(status: 200), at: 2 * s)
        #expect(pipelined.expire(at: 7 * s) == [])
        #expect(sentText(pipelined.expire(at: 7 * s + 1)).hasPrefix("HTTP/1.1 408"))
    }

    @Test("an answer awaited past the response timeout: 504 with the request's custom attributes; the late answer is dropped")
    func responseTimeout() {
        let s = Self.second
        var connection = HTTPConnection(timeouts: Self.timeouts, now: 0)
        let text = "POST /invocations HTTP/1.1\r\nX-Amzn-SageMaker-Custom-Attributes: trace=1\r\nContent-Length: 1\r\n\r\n1"
            + "GET /ping HTTP/1.1\r\n\r\n"
        #expect(requests(feed(&connection, text, at: 10 * s)).count == 1)
        let first = connection.requestSequence
        #expect(connection.expire(at: 13 * s) == [])
        let timedOut = connection.expire(at: 13 * s + 1)
        #expect(sentText(timedOut).hasPrefix("HTTP/1.1 504"))
        #expect(sentText(timedOut).contains("X-Amzn-SageMaker-Custom-Attributes: trace=1"))
        #expect(sentText(timedOut).contains("did not answer within 3.0 s"))
        // The pipelined /ping was parsed right after the 504 and is the one awaited now.
        #expect(requests(timedOut).map(\.path) == ["/ping"])
        var late: [HTTPConnection.Action] = []
        #expect(!connection.respondLate(HTTPResponse(status: 200), toRequest: first, at: 14 * s, into: &late))
        #expect(late.isEmpty)
        #expect(connection.respondLate(HTTPResponse(status: 200), toRequest: first + 1, at: 14 * s, into: &late))
        #expect(sentText(late).hasPrefix("HTTP/1.1 200"))
        #expect(!sentText(late).contains("Custom-Attributes"), "the ping had none")
    }

    @Test("drain: a request in progress is finished and answered with Connection: close; an idle one closes at once")
    func drain() {
        let s = Self.second
        var busy = HTTPConnection(timeouts: Self.timeouts, now: 0)
        #expect(requests(feed(&busy, "GET /ping HTTP/1.1\r\n\r\n", at: s)).count == 1)
        #expect(busy.finishAfterCurrent(peerClosed: false, at: 2 * s) == [])
        let answer = busy.respond(HTTPResponse(status: 200), at: 3 * s)
        #expect(sentText(answer).contains("Connection: close"))
        #expect(answer.last == .close)
        var idle = HTTPConnection(timeouts: Self.timeouts, now: 0)
        #expect(idle.finishAfterCurrent(peerClosed: false, at: s) == [.close])
    }
}

@Suite("HTTP/1.1 head details")
struct HTTPHeadTests {
    @Test("token bytes are exactly RFC 9110's tchar set")
    func tokenBytes() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test("names are lower-cased, values trimmed, the path loses its query, blank lines before a request are skipped")
    func headFields() {
        let text = "\r\n\r\nPOST /invocations?x=1&y=?2 HTTP/1.1\r\nHOST:\t h:1 \t\r\nX-Custom-Header:  a b\tc \r\nContent-LENGTH: 2\r\n\r\nab"
        for chunk in [1, 4, Int.max] {
            let parsed = requests(drive(text, chunk: chunk))
            #expect(parsed.count == 1)
            guard let request = parsed.first else { continue }
            #expect(request.method == "POST")
            #expect(request.target == "/invocations?x=1&y=?2")
            #expect(request.path == "/invocations")
            #expect(request.headers.map(\.name) == ["host", "x-custom-header", "content-length"])
            #expect(request.headers.map(\.value) == ["h:1", "a b\tc", "2"])
            #expect(request.body == Array("ab".utf8))
        }
    }

    @Test("a blank line between pipelined requests is skipped")
    func blankLineBetweenRequests() {
        let actions = drive("GET /ping HTTP/1.1\r\n\r\n\r\nGET /ping?again HTTP/1.1\r\n\r\n")
        #expect(requests(actions).map(\.path) == ["/ping", "/ping"])
        #expect(!sentText(actions).contains("400"))
    }

    @Test("bytes that break the head's grammar are refused with 400",
          arguments: [
            " GET / HTTP/1.1\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 \r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            "GET /a\u{7F}b HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            "GET / HTTP/1.1\r\n folded: x\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
          ])
    func malformedHeads(text: String) {
        let actions = drive(text)
        #expect(sentText(actions).hasPrefix("HTTP/1.1 400 "), "\(text.debugDescription): \(sentText(actions).prefix(60))")
        #expect(requests(actions).isEmpty)
    }

    @Test("framing headers are recognised in any case; a Content-Length that is not plain digits goes the careful way")
    func framingHeaderCase() {
        #expect(requests(drive("POST / HTTP/1.1\r\ncOnTeNt-LeNgTh: 3\r\n\r\nabc")).first?.body == Array("abc".utf8))
        #expect(requests(drive("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc")).first?.body == Array("abc".utf8))
        #expect(requests(drive("POST / HTTP/1.1\r\nTRANSFER-ENCODING: Chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")).first?.body == Array("a".utf8))
        #expect(requests(drive("GET / HTTP/1.1\r\nCONNECTION: Close\r\n\r\n")).first?.keepAlive == false)
    }

    @Test("a response is appended whole behind what is already queued")
    func responseBytes() {
        var bytes = Array("queued".utf8)
        HTTPResponse(
            status: 405, contentType: "text/plain; charset=utf-8", body: Array("use GET\n".utf8), extraHeaders: [("Allow", "GET, HEAD")]
        ).serialize(into: &bytes, keepAlive: false)
        #expect(String(decoding: bytes, as: UTF8.self) == "queuedHTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 8\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\nuse GET\n")
        let large = HTTPResponse(status: 200, body: Array(repeating: 0x41, count: 1_234_567)).serialized(keepAlive: true)
        #expect(String(decoding: large.prefix(64), as: UTF8.self).hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\n\r\nAAA"))
        #expect(large.count == 1_234_567 + "HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\n\r\n".utf8.count)
        #expect(HTTPResponse(status: 204, contentType: "").serialized(keepAlive: true) == Array("HTTP/1.1 204 Status\r\nContent-Type: \r\nContent-Length: 0\r\n\r\n".utf8))
    }
}

@Suite("HEAD answers")
struct HeadAnswerTests {
    @Test("a HEAD answer carries the GET headers and no body, so the next answer on the connection parses")
    func headWithoutBody() {
        let actions = drive("HEAD /nope HTTP/1.1\r\n\r\nGET /ping HTTP/1.1\r\n\r\n")
        #expect(requests(actions).map(\.method) == ["HEAD", "GET"])
        // drive() answers every request with its (empty) body; give the HEAD answer a body.
        var connection = HTTPConnection()
        var actionsOut: [HTTPConnection.Action] = []
        Array("HEAD /nope HTTP/1.1\r\n\r\n".utf8).withUnsafeBytes { connection.received($0, at: 0, into: &actionsOut) }
        connection.respond(.error(404, "no such resource"), at: 0, into: &actionsOut)
        let text = sentText(actionsOut)
        #expect(text.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(text.contains("Content-Length: 17\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"), "no body after the head: \(text)")
    }
}
