import Testing
@testable import Serve

/// The chunked decoder against the shapes a hostile client sends: framing that costs more than
/// the data it carries, trailers without end, signed or oversized sizes.
@Suite("Chunked framing limits")
struct ChunkedFramingTests {
    static let chunkedHead = "POST /invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// Feeds `pieces` to one parser in order; returns its last event and the largest the input
    /// buffer ever was after a call.
    func feed(_ pieces: [String], limits: HTTPLimits = HTTPLimits()) -> (event: HTTPRequestParser.Event, inputBytesMax: Int) {
        var parser = HTTPRequestParser(limits: limits)
        var input: [UInt8] = []
        var event = HTTPRequestParser.Event.needMore
        var inputBytesMax = 0
        for piece in pieces {
            input.append(contentsOf: Array(piece.utf8))
            event = parser.next(&input)
            inputBytesMax = max(inputBytesMax, input.count)
            if case .needMore = event { continue }
            if case .sendContinue = event { continue }
            break
        }
        return (event, inputBytesMax)
    }

    func status(_ event: HTTPRequestParser.Event) -> Int? {
        if case .failure(let error) = event { return error.status }
        return nil
    }

    @Test("one-byte chunks with long extensions: framing is consumed as it comes, counted, and ends in 413")
    func extensionFlood() {
        let chunk = "1;" + String(repeating: "x", count: 1000) + "\r\na\r\n"
        let pieces = [Self.chunkedHead] + Array(repeating: chunk, count: 2000)
        let (event, inputBytesMax) = feed(pieces)
        #expect(status(event) == 413)
        // Before: every raw byte stayed in the input until the body ended (2 MB here, 2 GB in 10 s live).
        #expect(inputBytesMax < 2 * chunk.utf8.count)
    }

    @Test("framing under the limit decodes: many small chunks make one body")
    func manySmallChunks() {
        let pieces = [Self.chunkedHead] + Array(repeating: "2;name=value\r\nab\r\n", count: 5000) + ["0\r\n\r\n"]
        let (event, inputBytesMax) = feed(pieces)
        guard case .request(let request) = event else {
            Issue.record("expected a request, got \(event)")
            return
        }
        #expect(request.body == Array(String(repeating: "ab", count: 5000).utf8))
        #expect(inputBytesMax < 64)
    }

    @Test("trailers are bounded in fields and bytes (431) and consumed line by line")
    func trailerFlood() {
        let fields = [Self.chunkedHead, "1\r\na\r\n0\r\n"] + Array(repeating: "X-T: y\r\n", count: 100_000)
        let many = feed(fields)
        #expect(status(many.event) == 431)
        #expect(many.inputBytesMax < 64)
        let long = feed([Self.chunkedHead, "1\r\na\r\n0\r\n", "X-T: " + String(repeating: "y", count: 20_000)])
        #expect(status(long.event) == 431)
        let allowed = feed([Self.chunkedHead, "1\r\na\r\n0\r\n"] + Array(repeating: "X-T: y\r\n", count: 64) + ["\r\n"])
        guard case .request(let request) = allowed.event else {
            Issue.record("64 trailer fields are within the limit, got \(allowed.event)")
            return
        }
        #expect(request.body == Array("a".utf8))
    }

    @Test("a trailer line arriving a byte at a time still completes", arguments: [1, 3])
    func trailerByteByByte(step: Int) {
        let text = "1\r\na\r\n0\r\nX-Checksum: " + String(repeating: "f", count: 300) + "\r\n\r\n"
        var pieces = [Self.chunkedHead]
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: step, limitedBy: text.endIndex) ?? text.endIndex
            pieces.append(String(text[index..<next]))
            index = next
        }
        guard case .request(let request) = feed(pieces).event else {
            Issue.record("expected a request")
            return
        }
        #expect(request.body == Array("a".utf8))
    }

    @Test("chunk sizes are hex digits only, at most 16 of them", arguments: [
        "+4", "-0", "0x4", " 4", "4 4", "4;\u{01}", "12345678901234567", "",
    ])
    func badSizes(size: String) {
        let (event, _) = feed([Self.chunkedHead + size + "\r\nabcd\r\n0\r\n\r\n"])
        #expect(status(event) == 400, "size line '\(size)'")
    }

    @Test("sizes with leading zeros, upper-case digits and whitespace before extensions are accepted")
    func goodSizes() {
        let (event, _) = feed([Self.chunkedHead + "0000000000000004 ;a=b\r\nabcd\r\nA\r\n0123456789\r\n0\r\n\r\n"])
        guard case .request(let request) = event else {
            Issue.record("expected a request, got \(event)")
            return
        }
        #expect(request.body == Array("abcd0123456789".utf8))
    }

    @Test("a size line without its end is refused once longer than 1 KiB")
    func endlessSizeLine() {
        let (event, inputBytesMax) = feed([Self.chunkedHead] + Array(repeating: "0", count: 2000))
        #expect(status(event) == 400)
        #expect(inputBytesMax <= ChunkedBodyDecoder.sizeLineBytesMax + 1)
    }
}
