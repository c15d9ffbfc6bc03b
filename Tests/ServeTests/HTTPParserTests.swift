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
    actions.compactMap { if case .send(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }.joined()
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
        #expect(first == [.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))])
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
        #expect(actions.last == .close)
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
        #expect(sentText(slow.timedOut()).hasPrefix("HTTP/1.1 408"))
        var idle = HTTPConnection()
        #expect(idle.isIdle)
        #expect(idle.timedOut() == [.close])
    }
}
