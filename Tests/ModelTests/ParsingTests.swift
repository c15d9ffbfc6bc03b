import Foundation
import Testing
@testable import Model

@Suite("Decimal and JSON parsing")
struct ParsingTests {
    static func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalParsing.parseNumber($0) }
    }

    static func special(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalParsing.parseSpecial($0) }
    }

    @Test("decimal parsing is correctly rounded (agrees with strtod)")
    func agreesWithStrtod() {
        var generator = SeededGenerator(seed: 3)
        var samples = [
            "0", "-0", "1", "+1", "0.1", "1e22", "1e23", "9007199254740993", "2.2250738585072011e-308",
            "4.9e-324", "1.7976931348623157e308", "123456789012345678901234567890", ".5", "5.", "1E+2", "1e-400",
            "0.30000000000000004", "3.4028235e38", "-2.875", "1.0000000000000002",
        ]
        for _ in 0..<5000 {
            let value = Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &generator))
            samples.append(value.description)
            samples.append(String(Float(Double.random(in: -1000...1000, using: &generator))))
            samples.append(String(Int.random(in: -1_000_000...1_000_000, using: &generator)) + "." + String(Int.random(in: 0...999999, using: &generator)))
        }
        for text in samples {
            let expected = strtod(text, nil)
            let actual = Self.parse(text)
            #expect(actual?.bitPattern == expected.bitPattern, "\(text): \(String(describing: actual)) vs \(expected)")
        }
    }

    @Test("CSV rows: the in-place fast path agrees with strtod → Float, field by field")
    func csvFastPathAgreesWithStrtod() throws {
        var generator = SeededGenerator(seed: 5)
        var fields = ["0", "-0", "5.", ".5", "-.5", "1e3", "\"2.5\"", " 7 ", "9007199254740993", "0.30000000000000004",
                      "1234567890123456789", "12345678901234567890", "0.00000000000000000000001", "-3.4028236e38", "NaN", ""]
        for _ in 0..<3000 {
            fields.append(Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &generator)).description)
            fields.append(String(Float(Double.random(in: -1000...1000, using: &generator))))
            fields.append(String(format: "%.17g", Double.random(in: -1...1, using: &generator)))  // pandas' float64 output
        }
        for start in stride(from: 0, to: fields.count, by: 7) {
            let row = Array(fields[start..<min(start + 7, fields.count)])
            let line = Array((row.joined(separator: ",") + "\r").utf8)
            var parsed = [Float](repeating: 0, count: 4)
            let count = try line.withUnsafeBufferPointer { bytes in
                try parsed.withUnsafeMutableBufferPointer { output in
                    try CSVRowParser.parse(line: bytes, lineNumber: 1, into: output.baseAddress!, capacity: 4)
                }
            }
            #expect(count == row.count, "fields past the capacity are counted")
            for (index, text) in row.prefix(4).enumerated() {
                let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \""))
                let expected = trimmed.isEmpty || trimmed == "NaN" ? Float.nan : Float(strtod(trimmed, nil))
                #expect(parsed[index].bitPattern == expected.bitPattern, "\(text): \(parsed[index]) vs \(expected)")
            }
        }
        let bad = Array("1.5,2..5,3".utf8)
        #expect(throws: CSVError(line: 9, column: 2, message: "'2..5' is not a number")) {
            var values: [Float] = []
            _ = try bad.withUnsafeBufferPointer { try CSVRowParser.parse(line: $0, lineNumber: 9, into: &values) }
        }
    }

    @Test("non-numbers are rejected", arguments: ["", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "abc", "1,5", "0x10", " 1", "1 ", "--1", "1e5e5", "nan"])
    func rejects(text: String) {
        #expect(Self.parse(text) == nil)
    }

    @Test("special values")
    func specials() {
        #expect(Self.special("nan")!.isNaN)
        #expect(Self.special("NaN")!.isNaN)
        #expect(Self.special("-inf") == -.infinity)
        #expect(Self.special("Infinity") == .infinity)
        #expect(Self.special("+INF") == .infinity)
        #expect(Self.special("nanx") == nil)
        #expect(Self.special("") == nil)
    }

    @Test("JSON documents")
    func json() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, true, false, null, "x\"\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["a"]?.arrayValue?[1] == .number(-2500))
        #expect(value["a"]?.arrayValue?[5] == .string("x\"é😀"))
        #expect(value["b"] == .object([]))
        var writer = JSONWriter()
        writer.write(value)
        #expect(try JSONValue.parse(writer.bytes) == value)
    }

    @Test("malformed JSON is an error with a position", arguments: [
        "", "{", "[1,", "[1 2]", "{\"a\" 1}", "{\"a\":}", "tru", "\"abc", "[1]x", "{1:2}", "\"\\x\"", "\"\\ud800\"", "[01a]",
        String(repeating: "[", count: 10_000),
    ])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("numbers RFC 8259 forbids are errors at the offending byte", arguments: [
        ("[+1]", 1, "'+'"), ("[01]", 2, "leading zero"), ("[-01]", 3, "leading zero"), ("[00]", 2, "leading zero"),
        ("[.5]", 1, "before '.'"), ("[1.]", 3, "after '.'"), ("[1.e5]", 3, "after '.'"), ("[1e]", 3, "exponent"),
        ("[1e+]", 4, "exponent"), ("[-]", 2, "after '-'"), ("-", 1, "after '-'"), ("[- 1]", 2, "after '-'"),
        ("[+Infinity]", 1, "'+'"), ("[1, 2.5, -.5]", 10, "after '-'"),
    ] as [(String, Int, String)])
    func strictNumbers(text: String, byteOffset: Int, mentions: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        #expect(error?.byteOffset == byteOffset, "\(error?.description ?? "")")
        #expect(error?.message.contains(mentions) == true, "\(error?.description ?? "")")
    }

    @Test("numbers in RFC 8259's grammar, and Python's NaN and Infinity, still parse", arguments: [
        ("0", 0.0), ("-0", -0.0), ("7", 7), ("-12", -12), ("0.5", 0.5), ("10.25", 10.25), ("1e5", 1e5), ("1E+2", 100),
        ("2.5e-3", 0.0025), ("-0.0e0", -0.0), ("123456789012345678901234", 1.2345678901234568e23),
        ("Infinity", .infinity), ("-Infinity", -.infinity),
    ] as [(String, Double)])
    func validNumbers(text: String, expected: Double) throws {
        #expect(try JSONValue.parse(text) == .number(expected))
        #expect(try JSONValue.parse("[\(text)]") == .array([.number(expected)]))
        #expect(try JSONValue.parse("NaN").numberValue?.isNaN == true)
    }

    @Test("a duplicate key is an error at the second key, in small and large objects")
    func duplicateKeys() {
        for (text, byteOffset) in [
            (#"{"instances": [[1]], "instances": [[2]]}"#, 21),
            (#"{"a": {"b": 1, "b": 2}}"#, 15),
        ] {
            let error = #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
            #expect(error?.byteOffset == byteOffset, "\(error?.description ?? "")")
            #expect(error?.message.contains("duplicate key") == true)
        }
        let keys = (0..<40).map { "\"k\($0)\": \($0)" }
        #expect(throws: Never.self) { try JSONValue.parse("{" + keys.joined(separator: ", ") + "}") }
        let repeated = "{" + (keys + [#""k3": 0"#]).joined(separator: ", ") + "}"
        let error = #expect(throws: JSONParseError.self) { try JSONValue.parse(repeated) }
        #expect(error?.message == #"duplicate key "k3""#)
        #expect(error?.byteOffset == repeated.utf8.count - 8)
    }
}

@Suite("CSV number fast paths: eight bytes at a time, comma masks, vector digits")
struct CSVFastPathTests {
    @Test("leading digit counts and digit values agree with a byte-by-byte reading")
    func wordArithmetic() {
        var generator = SeededGenerator(seed: 11)
        let alphabet = Array("0123456789.,-e\r\n \u{7F}".utf8) + [0x00, 0x2F, 0x3A, 0x80, 0xB9, 0xBA, 0xFF]
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in alphabet.randomElement(using: &generator)! }
            // Mostly digits, so every run length 0…8 is common.
            let digitRun = Int.random(in: 0...8, using: &generator)
            for index in 0..<digitRun { bytes[index] = UInt8.random(in: 0x30...0x39, using: &generator) }
            let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let expectedCount = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            #expect(ShortDecimalScanner.leadingDigitCount(word) == expectedCount, "\(bytes)")
            let expectedValue = bytes.prefix(expectedCount).reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
            #expect(ShortDecimalScanner.value(of: word, digitCount: expectedCount) == expectedValue, "\(bytes)")
        }
    }

    /// What follows each line: too little for comma masks (so fields near a line's end are
    /// scanned byte by byte, the rest eight bytes at a time), or enough for every line (whole
    /// 64-byte windows and 16 bytes more), with commas to be masked off.
    static let textsAfterLine = ["\n123456789,987654321,0.5\n", "\n" + Array(repeating: "0.125,-2,3", count: 12).joined(separator: ",") + "\n"]

    @Test("rows read with the buffer's bytes ahead give the same floats as without, and as strtod", arguments: textsAfterLine)
    func rowsWithReadAhead(textAfterLine: String) throws {
        var generator = SeededGenerator(seed: 12)
        var fields = ["0", "-0", "5.", "-5.", ".5", "1234567", "-1234567", "12345678", "1.1234567", "1.12345678", "1234567.1234567",
                      "12345678.1", "0.0000001", "1e3", "1.5e-3", "-0.402374", "7", "", "NaN", "\"2.5\"", "3.25 "]
        for _ in 0..<4000 {
            fields.append(String(format: "%.6g", Double.random(in: -50...50, using: &generator) * pow(10, Double(Int.random(in: -6...3, using: &generator)))))
            fields.append(String(format: "%.\(Int.random(in: 0...8, using: &generator))f", Double.random(in: -2000...2000, using: &generator)))
        }
        fields.shuffle(using: &generator)
        // Lines of 1–12 fields (up to three 64-byte windows), each followed by more text, as in
        // a request body.
        var start = 0
        while start < fields.count {
            let row = Array(fields[start..<min(start + Int.random(in: 1...12, using: &generator), fields.count)])
            start += row.count
            let lineText = row.joined(separator: ",") + (Bool.random(using: &generator) ? "\r" : "")
            let buffer = Array((lineText + textAfterLine).utf8)
            let lineLength = lineText.utf8.count
            var withReadAhead = [Float](repeating: 0, count: row.count)
            var withoutReadAhead = [Float](repeating: 0, count: row.count)
            let counts = try buffer.withUnsafeBufferPointer { bytes in
                let line = UnsafeBufferPointer(rebasing: bytes[..<lineLength])
                let ahead = try withReadAhead.withUnsafeMutableBufferPointer { output in
                    try CSVRowParser.parse(line: line, lineNumber: 1, into: output.baseAddress!, capacity: row.count, readableCount: bytes.count)
                }
                let within = try withoutReadAhead.withUnsafeMutableBufferPointer { output in
                    try CSVRowParser.parse(line: line, lineNumber: 1, into: output.baseAddress!, capacity: row.count)
                }
                return (ahead, within)
            }
            #expect(counts.0 == row.count && counts.1 == row.count, "\(lineText.debugDescription)")
            for (index, text) in row.enumerated() {
                let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \""))
                let expected = trimmed.isEmpty || trimmed == "NaN" ? Float.nan : Float(strtod(trimmed, nil))
                #expect(withReadAhead[index].bitPattern == expected.bitPattern, "\(text) in \(lineText.debugDescription)")
                #expect(withoutReadAhead[index].bitPattern == expected.bitPattern, "\(text) in \(lineText.debugDescription)")
            }
        }
    }

    @Test("a line too long to copy, with nothing after it, is read field by field to the same floats")
    func longLineWithoutReadAhead() throws {
        var generator = SeededGenerator(seed: 14)
        var fields: [String] = []
        var length = 0
        while length <= 20_000 {
            let field = Bool.random(using: &generator)
                ? String(format: "%.6g", Double.random(in: -50...50, using: &generator))
                : String(format: "%.\(Int.random(in: 0...8, using: &generator))f", Double.random(in: -2000...2000, using: &generator))
            fields.append(field)
            length += field.utf8.count + 1
        }
        fields += ["", "NaN", "1e3", "-0"]
        let line = Array(fields.joined(separator: ",").utf8)
        #expect(line.count > CSVRowParser.copiedLineBytesMax)
        var output = [Float](repeating: 0, count: fields.count)
        let count = try line.withUnsafeBufferPointer { bytes in
            try output.withUnsafeMutableBufferPointer { out in
                try CSVRowParser.parse(line: bytes, lineNumber: 1, into: out.baseAddress!, capacity: fields.count)
            }
        }
        #expect(count == fields.count)
        for (index, text) in fields.enumerated() {
            let expected = text.isEmpty || text == "NaN" ? Float.nan : Float(strtod(text, nil))
            #expect(output[index].bitPattern == expected.bitPattern, "\(text)")
        }
    }

    @Test("a number run into other text is still refused, read-ahead or not", arguments: ["1.5x", "12a", "-3.25.1", "1.5-2", "7 8"])
    func junkAfterNumber(field: String) {
        let buffer = Array("\(field),1\n0.5,0.25,0.125,0.0625\n".utf8) + Array(repeating: UInt8(ascii: ","), count: 80)
        let lineLength = field.utf8.count + 2
        for readable in [lineLength, lineLength + 10, buffer.count] {
            #expect(throws: CSVError.self) {
                var output = [Float](repeating: 0, count: 2)
                _ = try buffer.withUnsafeBufferPointer { bytes in
                    try output.withUnsafeMutableBufferPointer { out in
                        try CSVRowParser.parse(
                            line: UnsafeBufferPointer(rebasing: bytes[..<lineLength]), lineNumber: 1, into: out.baseAddress!, capacity: 2,
                            readableCount: readable)
                    }
                }
            }
        }
    }

    #if arch(x86_64)
    @Test("a field read as one vector of digits agrees with a byte-by-byte reading")
    func vectorDigits() {
        var generator = SeededGenerator(seed: 13)
        let alphabet = Array("0123456789.,-+e\r\n \u{7F}".utf8) + [0x00, 0x2F, 0x3A, 0x80, 0xB9, 0xBA, 0xFF]
        for _ in 0..<50_000 {
            let length = Int.random(in: 0...16, using: &generator)
            // Mostly digits and at most a point, so accepted fields of every shape are common.
            var bytes = (0..<16).map { _ in UInt8.random(in: 0x30...0x39, using: &generator) }
            if length > 0, Bool.random(using: &generator) { bytes[Int.random(in: 0..<length, using: &generator)] = UInt8(ascii: ".") }
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                bytes[Int.random(in: 0..<16, using: &generator)] = alphabet.randomElement(using: &generator)!
            }
            let field = bytes.prefix(length)
            let digits = field.filter { $0 != UInt8(ascii: ".") }
            let points = field.count - digits.count
            let expected: (UInt64, Int)?
            if (1...15).contains(length), points <= 1, !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) {
                let fraction = points == 0 ? 0 : length - 1 - field.firstIndex(of: UInt8(ascii: "."))!
                expected = (digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }, fraction)
            } else {
                expected = nil
            }
            let found = bytes.withUnsafeBufferPointer { plainDecimal($0.baseAddress!, length: length) }
            #expect(found?.mantissa == expected?.0 && found?.fractionDigitCount == expected?.1, "\(bytes) length \(length)")
        }
    }
    #endif
}
