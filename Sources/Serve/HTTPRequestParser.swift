#if canImport(Glibc)
import Glibc
#endif

/// Incremental HTTP/1.1 request parser: a value that consumes bytes from the front of a
/// connection's input buffer and says what it found. No sockets, so every case is testable.
///
/// Supports Content-Length and chunked bodies, `Expect: 100-continue`, header and body limits,
/// and keep-alive rules of HTTP/1.0 and 1.1. Requests with both Content-Length and
/// Transfer-Encoding, or conflicting lengths, are refused (request smuggling).
public struct HTTPRequestParser: Sendable {
    public enum Event: Equatable, Sendable {
        /// Not enough bytes yet.
        case needMore
        /// The headers asked for `100 Continue` and the body has not arrived yet.
        case sendContinue
        case request(HTTPRequest)
        case failure(HTTPParseError)
    }

    public let limits: HTTPLimits

    /// The request whose headers are parsed and whose body is being received.
    private var head: Head?
    private var continueSent = false

    /// A parsed head waiting for its body.
    struct Head {
        var method: String
        var target: String
        var path: String
        var minorVersion: Int
        var headers: [(name: String, value: String)]
        var keepAlive: Bool
        var framing: Framing
        var expectsContinue: Bool

        consuming func request(body: [UInt8]) -> HTTPRequest {
            HTTPRequest(method: method, target: target, path: path, minorVersion: minorVersion, headers: headers, body: body, keepAlive: keepAlive)
        }
    }

    enum Framing {
        case length(Int)
        case chunked(ChunkedBodyDecoder)
    }


    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Bodies at least this large are moved out of the input buffer when nothing follows them;
    /// smaller ones are copied so the buffer keeps its capacity for the next request.
    static let bodyMoveLengthMin = 64 * 1024
    /// At most this much is reserved up front for an announced body.
    static let bodyReserveBytesMax = 8 * 1024 * 1024

    /// True while a request has started arriving (for slow-client timeouts).
    public var isMidRequest: Bool { head != nil }

    /// Parses from the front of `input`, removing the bytes of a complete request.
    public mutating func next(_ input: inout [UInt8]) -> Event {
        // Bytes at the front of `input` that belong to a head parsed by this call; they are
        // removed together with the body, so a whole request costs one removal.
        var headBytes = 0
        if head == nil {
            // Blank lines before a request line are ignored (RFC 9112 §2.2), pipelined ones included.
            if input.first == 0x0D || input.first == 0x0A {
                let skipped = input.prefix { $0 == 0x0D || $0 == 0x0A }.count
                input.removeFirst(skipped)
            }
            guard let end = headerEnd(input) else {
                if input.count > limits.headerBytesMax {
                    return .failure(HTTPParseError(status: 431, reason: "request headers exceed \(limits.headerBytesMax) bytes"))
                }
                return .needMore
            }
            if end > limits.headerBytesMax {
                return .failure(HTTPParseError(status: 431, reason: "request headers exceed \(limits.headerBytesMax) bytes"))
            }
            let parsed = input.withUnsafeBufferPointer { parseHead(UnsafeBufferPointer(rebasing: $0[..<end])) }
            switch parsed {
            case .failure(let error): return .failure(error)
            case .success(let parsed):
                headBytes = end + 4
                head = parsed
                continueSent = false
            }
        }
        // Moved out (not copied: a copy retains its Strings and headers) and put back if incomplete.
        guard var current = head.take() else { return .needMore }
        switch current.framing {
        case .length(let length):
            if input.count - headBytes < length {
                Self.removeFront(headBytes, of: &input)
                // Room for the whole body at once: growing by doubling copied a large body twice.
                // Capped, so a client announcing a huge body it never sends reserves little.
                let reserve = min(length, Self.bodyReserveBytesMax)
                if input.capacity < reserve { input.reserveCapacity(reserve) }
                let expectsContinue = current.expectsContinue
                head = current
                return expectsContinue && !continueSent ? markContinue() : .needMore
            }
            let body: [UInt8]
            if headBytes == 0, input.count == length, length >= Self.bodyMoveLengthMin {
                // Nothing pipelined behind a large body: hand over the buffer instead of copying it.
                body = input
                input = []
            } else {
                body = length > 0 ? Array(input[headBytes..<(headBytes + length)]) : []
                Self.removeFront(headBytes + length, of: &input)
            }
            return .request(current.request(body: body))
        case .chunked(var decoder):
            Self.removeFront(headBytes, of: &input)
            let receivedBefore = decoder.rawByteCount
            if let error = decoder.decode(&input) {
                head = current
                return .failure(error)
            }
            guard decoder.isFinished else {
                let firstBytes = receivedBefore == 0 && decoder.rawByteCount == 0
                current.framing = .chunked(decoder)
                head = current
                return current.expectsContinue && !continueSent && firstBytes ? markContinue() : .needMore
            }
            return .request(current.request(body: decoder.takeBody()))
        }
    }

    /// Removes the first `count` bytes, keeping the buffer's capacity for the next request.
    private static func removeFront(_ count: Int, of input: inout [UInt8]) {
        if count == input.count {
            input.removeAll(keepingCapacity: true)
        } else if count > 0 {
            input.removeFirst(count)
        }
    }

    private mutating func markContinue() -> Event {
        continueSent = true
        return .sendContinue
    }

    /// Index of the blank line ending the headers ("\r\n\r\n"), if present.
    private func headerEnd(_ input: [UInt8]) -> Int? {
        guard input.count >= 4 else { return nil }
        return input.withUnsafeBufferPointer { bytes in
            var index = 0
            let last = bytes.count - 4
            while index <= last {
                if bytes[index + 3] != 0x0A {
                    index += bytes[index + 3] == 0x0D ? 1 : 4  // skip ahead when the 4th byte cannot end it
                    continue
                }
                if bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D { return index }
                index += 1
            }
            return nil
        }
    }

    /// Parses the request line and headers (`bytes` ends before the blank line). Works on the
    /// bytes in place: Strings are made only for what the request keeps, and the headers that
    /// change framing are recognised by their bytes, so a plain request skips the String work
    /// further down.
    private func parseHead(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Head, HTTPParseError> {
        func bad(_ reason: String) -> Result<Head, HTTPParseError> { .failure(HTTPParseError(status: 400, reason: reason)) }
        func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        let end = bytes.count
        /// The line starting at `start`: where its content ends (before CR LF or LF) and where the next begins.
        func line(from start: Int) -> (contentEnd: Int, next: Int) {
            var index = start
            while index < end, bytes[index] != 0x0A { index += 1 }
            return (index > start && bytes[index - 1] == 0x0D ? index - 1 : index, index + 1)
        }
        let methodStart = 0
        let (requestLineEnd, afterRequestLine) = line(from: methodStart)
        var firstSpace = methodStart
        while firstSpace < requestLineEnd, bytes[firstSpace] != 0x20 { firstSpace += 1 }
        var secondSpace = firstSpace + 1
        while secondSpace < requestLineEnd, bytes[secondSpace] != 0x20 { secondSpace += 1 }
        guard secondSpace < requestLineEnd, firstSpace > methodStart, secondSpace > firstSpace + 1 else { return bad("malformed request line") }
        for index in (secondSpace + 1)..<requestLineEnd where bytes[index] == 0x20 { return bad("malformed request line") }
        for index in methodStart..<firstSpace where !isTokenByte(bytes[index]) { return bad("malformed method") }
        var queryStart: Int?
        for index in (firstSpace + 1)..<secondSpace {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F else { return bad("malformed request target") }
            if byte == UInt8(ascii: "?"), queryStart == nil { queryStart = index }
        }
        let minor: Int
        let version = UnsafeBufferPointer(rebasing: bytes[(secondSpace + 1)..<requestLineEnd])
        if Self.bytes(version, equal: "HTTP/1.1") {
            minor = 1
        } else if Self.bytes(version, equal: "HTTP/1.0") {
            minor = 0
        } else {
            let text = String(decoding: version, as: UTF8.self)
            if text.hasPrefix("HTTP/") { return .failure(HTTPParseError(status: 505, reason: "\(text) is not supported")) }
            return bad("malformed HTTP version")
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(8)
        // The headers that change framing or keep-alive, noted as they pass so that a request
        // without them skips the String work below; a single all-digit Content-Length is read here.
        var framingHeaderSeen = false
        var contentLength: Int?
        var position = afterRequestLine
        while position < end {
            let (contentEnd, next) = line(from: position)
            defer { position = next }
            var colon = position
            while colon < contentEnd, bytes[colon] != 0x3A { colon += 1 }
            guard colon < contentEnd else { return bad("header line without a colon") }
            guard colon > position else { return bad("malformed header name") }
            for index in position..<colon where !isTokenByte(bytes[index]) { return bad("malformed header name") }
            var valueStart = colon + 1
            var valueEnd = contentEnd
            while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
            while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            for index in valueStart..<valueEnd {
                let byte = bytes[index]
                guard byte >= 0x20 || byte == 0x09, byte != 0x7F else { return bad("control character in header value") }
            }
            let name = UnsafeBufferPointer(rebasing: bytes[position..<colon])
            let valueCount = valueEnd - valueStart
            if Self.lowercased(name, equals: "content-length") {
                if !framingHeaderSeen, contentLength == nil, valueCount > 0, valueCount <= 15,
                    (valueStart..<valueEnd).allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 })
                {
                    contentLength = (valueStart..<valueEnd).reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) }
                } else {
                    framingHeaderSeen = true
                }
            } else if Self.lowercased(name, equals: "transfer-encoding") || Self.lowercased(name, equals: "connection")
                || Self.lowercased(name, equals: "expect")
            {
                framingHeaderSeen = true
            }
            // Token bytes are ASCII, so lower-casing byte by byte is exact. Written straight into
            // the String's storage (inline for names up to 15 bytes): no intermediate array.
            let loweredName = String(unsafeUninitializedCapacity: name.count) { storage in
                for offset in 0..<name.count { storage[offset] = Self.lowercased(name[offset]) }
                return name.count
            }
            headers.append((loweredName, string(valueStart..<valueEnd)))
        }
        let target = string((firstSpace + 1)..<secondSpace)
        let path = queryStart.map { string((firstSpace + 1)..<$0) } ?? target
        var head = Head(
            method: string(methodStart..<firstSpace), target: target, path: path, minorVersion: minor, headers: headers,
            keepAlive: minor == 1, framing: .length(contentLength ?? 0), expectsContinue: false)
        if !framingHeaderSeen {
            if let tooLarge = bodyLimitError(length: contentLength ?? 0) { return .failure(tooLarge) }
            return .success(head)
        }
        let connectionTokens = headers.filter { $0.name == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: " \t") } }
        if connectionTokens.contains("close") { head.keepAlive = false }
        if minor == 0, connectionTokens.contains("keep-alive") { head.keepAlive = true }

        let lengths = headers.filter { $0.name == "content-length" }.map(\.value)
        let encodings = headers.filter { $0.name == "transfer-encoding" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: " \t") } }
        let framing: Framing
        if !encodings.isEmpty {
            guard lengths.isEmpty else { return bad("both Content-Length and Transfer-Encoding") }
            guard encodings == ["chunked"] else {
                return .failure(HTTPParseError(status: 501, reason: "Transfer-Encoding \(encodings.joined(separator: ", ")) is not supported"))
            }
            guard minor == 1 else { return bad("chunked encoding in an HTTP/1.0 request") }
            framing = .chunked(ChunkedBodyDecoder(limits: limits))
        } else if let first = lengths.first {
            let values = Set(lengths.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: " \t") } })
            guard values.count == 1, let only = values.first, !only.isEmpty, only.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                only.utf8.count <= 15, let length = Int(only)
            else { return bad("invalid Content-Length '\(first)'") }
            if let tooLarge = bodyLimitError(length: length) { return .failure(tooLarge) }
            framing = .length(length)
        } else {
            framing = .length(0)
        }
        let expectation = headers.first { $0.name == "expect" }?.value.lowercased()
        if let expectation, expectation != "100-continue" {
            return .failure(HTTPParseError(status: 417, reason: "unsupported Expect: \(expectation)"))
        }
        head.framing = framing
        head.expectsContinue = expectation != nil && minor == 1
        return .success(head)
    }

    @inline(__always)
    private static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    @inline(__always)
    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, equal literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
    }

    /// Whether a header name, compared case-insensitively, is `lowercase`.
    @inline(__always)
    private static func lowercased(_ name: UnsafeBufferPointer<UInt8>, equals lowercase: StaticString) -> Bool {
        guard name.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<name.count where lowercased(name[index]) != expected[index] { return false }
        return true
    }

    /// 413 for an announced Content-Length over the body limit.
    private func bodyLimitError(length: Int) -> HTTPParseError? {
        guard length > limits.bodyBytesMax else { return nil }
        return HTTPParseError(status: 413, reason: "body of \(length) bytes exceeds the limit of \(limits.bodyBytesMax)")
    }
}

/// RFC 9110 token characters: `!#$%&'*+-.^_`|~`, digits and letters, as a bitmask over ASCII.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    // Bit n of the first word is byte n, of the second byte 64 + n.
    let word: UInt64 = byte < 64 ? 0x03FF_6CFA_0000_0000 : 0x57FF_FFFF_C7FF_FFFE
    return byte < 128 && (word >> UInt64(byte & 63)) & 1 == 1
}
