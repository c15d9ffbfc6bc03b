/// Decodes a chunked request body (RFC 9112 §7.1) as its bytes arrive, removing what it has
/// read from the front of the connection's input: a body's framing is never kept, and no byte
/// is examined twice, however the client splits its sends.
///
/// Everything that is not data is counted: size lines with their extensions and the CRLFs after
/// data against `HTTPLimits.chunkFramingBytesMax` (413), trailer fields against
/// `headerBytesMax` and `trailerFieldCountMax` (431), and a size line longer than
/// `sizeLineBytesMax` is malformed (400). Sizes are hex digits only: no sign, no prefix, at most
/// 16 digits, as `chunk-size = 1*HEXDIG` allows and llhttp and nginx accept.
struct ChunkedBodyDecoder: Sendable {
    enum Phase: Equatable, Sendable {
        case sizeLine
        case data(remaining: Int)
        /// The CRLF that ends a chunk's data.
        case dataEnd
        case trailer
        case finished
    }

    /// A size line with its extensions; nginx and llhttp stop well before this too.
    static let sizeLineBytesMax = 1024
    static let sizeDigitCountMax = 16

    let limits: HTTPLimits
    private(set) var body: [UInt8] = []
    private(set) var phase = Phase.sizeLine
    /// Bytes of the line now arriving that were already searched for its CRLF.
    private var lineBytesScanned = 0
    private(set) var framingByteCount = 0
    private(set) var trailerByteCount = 0
    private(set) var trailerFieldCount = 0
    /// Every byte consumed so far, data and framing.
    private(set) var rawByteCount = 0

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    var isFinished: Bool { phase == .finished }

    /// Hands over the decoded body once `isFinished`.
    mutating func takeBody() -> [UInt8] {
        precondition(isFinished, "the body is not complete")
        defer { body = [] }
        return body
    }

    /// Consumes as much of `input` as it can; nil unless the body is malformed or too large.
    mutating func decode(_ input: inout [UInt8]) -> HTTPParseError? {
        var position = 0
        defer {
            rawByteCount += position
            if position == input.count {
                input.removeAll(keepingCapacity: true)
            } else if position > 0 {
                input.removeFirst(position)
            }
        }
        while true {
            switch phase {
            case .sizeLine, .trailer:
                guard let lineEnd = lineEnd(in: input, from: position) else {
                    return incompleteLineError(pendingBytes: input.count - position)
                }
                let lineBytes = lineEnd + 2 - position
                if let error = countFraming(lineBytes) { return error }
                let content = position..<lineEnd
                position = lineEnd + 2
                let error = phase == .sizeLine ? startChunk(input, content) : endTrailerField(lineBytes: lineBytes)
                if let error { return error }
            case .data(let remaining):
                let available = min(remaining, input.count - position)
                guard available > 0 else { return nil }
                body.append(contentsOf: input[position..<(position + available)])
                position += available
                phase = available == remaining ? .dataEnd : .data(remaining: remaining - available)
            case .dataEnd:
                guard input.count - position >= 2 else { return nil }
                guard input[position] == 0x0D, input[position + 1] == 0x0A else {
                    return HTTPParseError(status: 400, reason: "chunk data not followed by CRLF")
                }
                position += 2
                if let error = countFraming(2) { return error }
                phase = .sizeLine
            case .finished:
                return nil
            }
        }
    }

    /// The CRLF ending the line that starts at `start`, searching only bytes not searched before.
    private mutating func lineEnd(in input: [UInt8], from start: Int) -> Int? {
        // A CR at the end of the searched part may be followed by its LF now.
        var index = start + max(0, lineBytesScanned - 1)
        while index + 1 < input.count {
            if input[index] == 0x0D, input[index + 1] == 0x0A {
                lineBytesScanned = 0
                return index
            }
            index += 1
        }
        lineBytesScanned = input.count - start
        return nil
    }

    private func incompleteLineError(pendingBytes: Int) -> HTTPParseError? {
        if phase == .sizeLine {
            guard pendingBytes <= Self.sizeLineBytesMax else {
                return HTTPParseError(status: 400, reason: "chunk size line longer than \(Self.sizeLineBytesMax) bytes")
            }
        } else if trailerByteCount + pendingBytes > limits.headerBytesMax {
            return trailerTooLarge()
        }
        if framingByteCount + pendingBytes > limits.chunkFramingBytesMax { return framingTooLarge() }
        return nil
    }

    private mutating func countFraming(_ bytes: Int) -> HTTPParseError? {
        framingByteCount += bytes
        return framingByteCount > limits.chunkFramingBytesMax ? framingTooLarge() : nil
    }

    private func framingTooLarge() -> HTTPParseError {
        HTTPParseError(status: 413, reason: "chunked framing (size lines, extensions, trailers) exceeds \(limits.chunkFramingBytesMax) bytes")
    }

    private func trailerTooLarge() -> HTTPParseError {
        HTTPParseError(
            status: 431, reason: "chunked trailers exceed \(limits.headerBytesMax) bytes or \(limits.trailerFieldCountMax) fields")
    }

    /// Reads a size line (`content` excludes its CRLF) and enters the chunk's data or the trailer.
    private mutating func startChunk(_ input: [UInt8], _ content: Range<Int>) -> HTTPParseError? {
        guard content.count <= Self.sizeLineBytesMax else {
            return HTTPParseError(status: 400, reason: "chunk size line longer than \(Self.sizeLineBytesMax) bytes")
        }
        var index = content.lowerBound
        var size = 0
        while index < content.upperBound, let digit = Self.hexValue(input[index]) {
            guard index - content.lowerBound < Self.sizeDigitCountMax else {
                return HTTPParseError(status: 400, reason: "chunk size has more than \(Self.sizeDigitCountMax) digits")
            }
            size = size << 4 | digit
            index += 1
        }
        guard index > content.lowerBound else { return HTTPParseError(status: 400, reason: "invalid chunk size") }
        // Optional whitespace, then nothing or extensions (`BWS ";" …`, RFC 9112 §7.1.1).
        while index < content.upperBound, input[index] == 0x20 || input[index] == 0x09 { index += 1 }
        guard index == content.upperBound || input[index] == 0x3B else {
            return HTTPParseError(status: 400, reason: "invalid chunk size")
        }
        for offset in index..<content.upperBound {
            let byte = input[offset]
            guard byte >= 0x20 || byte == 0x09, byte != 0x7F else {
                return HTTPParseError(status: 400, reason: "control character in a chunk extension")
            }
        }
        guard size <= limits.bodyBytesMax - body.count else {
            return HTTPParseError(status: 413, reason: "chunked body exceeds the limit of \(limits.bodyBytesMax) bytes")
        }
        phase = size == 0 ? .trailer : .data(remaining: size)
        return nil
    }

    /// Counts one trailer line; the empty line ends the body.
    private mutating func endTrailerField(lineBytes: Int) -> HTTPParseError? {
        guard lineBytes > 2 else {
            phase = .finished
            return nil
        }
        trailerByteCount += lineBytes
        trailerFieldCount += 1
        guard trailerByteCount <= limits.headerBytesMax, trailerFieldCount <= limits.trailerFieldCountMax else {
            return trailerTooLarge()
        }
        return nil
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }
}
