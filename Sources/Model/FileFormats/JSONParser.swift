/// Recursive descent over bytes; nesting is bounded so hostile input cannot exhaust the stack.
package struct JSONParser {
    package static let depthMax = 512
    let bytes: UnsafeBufferPointer<UInt8>
    package var position = 0

    package init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(message: message, byteOffset: position)
    }

    @inline(__always)
    package mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    package mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.depthMax else { throw error("nesting deeper than \(Self.depthMax)") }
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        default:
            return .number(try parseNumber())
        }
    }

    /// Members with more keys than this are checked for duplicates through a set; below it a
    /// linear scan of the keys so far is cheaper than hashing.
    static let linearKeyScanCountMax = 16

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        assert(bytes[position] == UInt8(ascii: "{"))
        position += 1
        var members: [(String, JSONValue)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let keyPosition = position
            let key = try parseString()
            // RFC 8259 leaves duplicate names to the reader; the first or the last winning
            // silently would score rows the sender did not mean, so they are refused.
            if members.count < Self.linearKeyScanCountMax {
                if members.contains(where: { $0.0 == key }) { throw duplicateKey(key, at: keyPosition) }
            } else {
                if keys.isEmpty { keys = Set(members.map(\.0)) }
                guard keys.insert(key).inserted else { throw duplicateKey(key, at: keyPosition) }
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    func duplicateKey(_ key: String, at keyPosition: Int) -> JSONParseError {
        JSONParseError(message: "duplicate key \"\(key)\"", byteOffset: keyPosition)
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        assert(bytes[position] == UInt8(ascii: "["))
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw error("unexpected end of input") }
        for index in 0..<length where bytes[position + index] != word.utf8Start[index] {
            throw error("invalid literal")
        }
        position += length
    }

    /// A JSON number in RFC 8259's grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
    /// stricter than the CSV reader's `DecimalParsing.parseNumber` (which also takes `+1`, `01`,
    /// `.5` and `5.`, as numpy does); also `NaN`/`Infinity`/`-Infinity`, which Python's json
    /// module writes and CatBoost's model files may contain. Errors point at the offending byte.
    package mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, bytes[position] &- 48 < 10 else { return try parseSpecialNumber(from: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, bytes[position] &- 48 < 10 { throw error("a number cannot have a leading zero") }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, bytes[position] &- 48 < 10 else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position += 1 }
            guard position < bytes.count, bytes[position] &- 48 < 10 else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        guard let value = DecimalParsing.parseNumber(UnsafeBufferPointer(rebasing: bytes[start..<position])) else {
            position = start
            throw error("invalid number")
        }
        return value
    }

    @inline(__always)
    mutating func skipDigits() {
        while position < bytes.count, bytes[position] &- 48 < 10 { position += 1 }
    }

    /// `NaN`, `Infinity` or `-Infinity` (any case, as `DecimalParsing.parseSpecial`), starting at
    /// `start`; anything else where a value was expected is an error at that byte.
    mutating func parseSpecialNumber(from start: Int) throws(JSONParseError) -> Double {
        while position < bytes.count, bytes[position] | 0x20 >= UInt8(ascii: "a"), bytes[position] | 0x20 <= UInt8(ascii: "z") {
            position += 1
        }
        if position > start, bytes[start] != UInt8(ascii: "+"),
            let value = DecimalParsing.parseSpecial(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        {
            return value
        }
        position = start
        switch bytes[start] {
        case UInt8(ascii: "+"): throw error("a number cannot start with '+'")
        case UInt8(ascii: "."): throw error("a number needs a digit before '.'")
        case UInt8(ascii: "-"):
            position = start + 1
            throw error("expected a digit after '-'")
        default: throw error("unexpected character")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        assert(bytes[position] == UInt8(ascii: "\""))
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
            guard bytes[position] >= 0x20 else { throw error("control character in string") }
            position += 1
        }
        guard position < bytes.count else { throw error("unterminated string") }
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                break
            }
            if byte == UInt8(ascii: "\\") {
                position += 1
                guard position < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate") }
                        position += 2
                        let low = try parseHex4()
                        guard low >= 0xDC00, low < 0xE000 else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid unicode escape") }
                    utf8.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw error("invalid escape")
                }
            } else {
                guard byte >= 0x20 else { throw error("control character in string") }
                utf8.append(byte)
                position += 1
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw error("invalid hex digit")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
