import Foundation
import Testing
@testable import Model

@Suite("CSV rows with categorical columns: RFC 4180 text hashed as CatBoost does, numbers as before")
struct CSVRowParserCategoricalTests {
    /// What one column of a parsed row should hold.
    enum Cell: CustomStringConvertible {
        case number(Float)
        case category(String)

        var description: String {
            switch self {
            case .number(let value): "\(value)"
            case .category(let text): "category \(text.debugDescription)"
            }
        }

        func matches(_ value: Float) -> Bool {
            switch self {
            case .number(let expected): expected.isNaN ? value.isNaN : value.bitPattern == expected.bitPattern
            case .category(let text): CategoryHash.hash(storedIn: value) == CategoryHash.hash(text)
            }
        }
    }

    static func parse(
        _ line: String, schema: ColumnSchema, lineNumber: Int = 1, categoryByteCountMax: Int = CSVRowParser.categoryByteCountMax
    ) throws(CSVError) -> [Float] {
        var values: [Float] = []
        let bytes = Array(line.utf8)
        let count = try bytes.withUnsafeBufferPointer { (line) throws(CSVError) in
            try CSVRowParser.parse(
                line: line, lineNumber: lineNumber, schema: schema, into: &values, categoryByteCountMax: categoryByteCountMax)
        }
        #expect(count == values.count)
        return values
    }

    static func expectRow(_ values: [Float], _ cells: [Cell], _ comment: Comment? = nil) {
        #expect(values.count == cells.count, comment)
        for (value, cell) in zip(values, cells) {
            #expect(cell.matches(value), "\(cell) vs bits \(String(value.bitPattern, radix: 16)) \(comment?.rawValue ?? "")")
        }
    }

    /// The error a line fails with, or nil when it parses.
    static func error(
        _ line: String, schema: ColumnSchema, lineNumber: Int = 1, categoryByteCountMax: Int = CSVRowParser.categoryByteCountMax
    ) -> CSVError? {
        do {
            _ = try parse(line, schema: schema, lineNumber: lineNumber, categoryByteCountMax: categoryByteCountMax)
            return nil
        } catch {
            return error
        }
    }

    static let firstAndLast = ColumnSchema(columnCount: 2, categoricalColumns: [0, 1])

    @Test("numeric and categorical columns mixed in one row")
    func mixedRow() throws {
        let schema = ColumnSchema(columnCount: 6, categoricalColumns: [1, 3, 5])
        let values = try Self.parse(#"1.5,red,-2,"x, ""y""",NaN,"#, schema: schema)
        Self.expectRow(values, [.number(1.5), .category("red"), .number(-2), .category(#"x, "y""#), .number(.nan), .category("")])
    }

    @Test("categorical field text, bare or quoted, at a row's start, middle and end, with and without CR",
        arguments: [
            ("abc", "abc"), ("", ""), (#""""#, ""), (" a ", " a "), (#"" a ""#, " a "), (#""a,b""#, "a,b"),
            (#""say ""hi""""#, #"say "hi""#), (#""""""#, #"""#), (#""a""""b""#, #"a""b"#), ("\"\"\",\"", "\","),
            ("12", "12"), ("007", "007"), ("-1.5e3", "-1.5e3"), ("nan", "nan"), ("NA", "NA"), ("None", "None"),
            ("héllo 中文 😀", "héllo 中文 😀"), ("\"a\rb\"", "a\rb"), ("a\tb", "a\tb"), ("a\rb", "a\rb"), ("'q'", "'q'"),
        ] as [(String, String)])
    func fieldText(field: String, text: String) throws {
        for lineEnd in ["", "\r"] {
            let values = try Self.parse("\(field),\(field)\(lineEnd)", schema: Self.firstAndLast)
            Self.expectRow(values, [.category(text), .category(text)], "\(field.debugDescription) + \(lineEnd.debugDescription)")
            let withNumber = try Self.parse("7,\(field),\(field)\(lineEnd)", schema: ColumnSchema(columnCount: 3, categoricalColumns: [1, 2]))
            Self.expectRow(withNumber, [.number(7), .category(text), .category(text)], "\(field.debugDescription) after a number")
        }
    }

    @Test("a line's trailing CR belongs to no field; one before it does")
    func carriageReturns() throws {
        let schema = ColumnSchema(columnCount: 2, categoricalColumns: [1])
        Self.expectRow(try Self.parse("1,abc\r", schema: schema), [.number(1), .category("abc")])
        Self.expectRow(try Self.parse("1,\"abc\"\r", schema: schema), [.number(1), .category("abc")])
        Self.expectRow(try Self.parse("1,\r", schema: schema), [.number(1), .category("")])
        Self.expectRow(try Self.parse("1,abc\r\r", schema: schema), [.number(1), .category("abc\r")])
        Self.expectRow(try Self.parse("1,\"a\r\"\r", schema: schema), [.number(1), .category("a\r")])
        let first = ColumnSchema(columnCount: 2, categoricalColumns: [0])
        Self.expectRow(try Self.parse("abc,2\r", schema: first), [.category("abc"), .number(2)])
    }

    @Test("integer-looking text is the integer's category only when spelled as its decimal text")
    func integerLookingText() throws {
        let schema = ColumnSchema(columnCount: 3, categoricalColumns: [0, 1, 2])
        let values = try Self.parse("7,007,-12", schema: schema)
        #expect(CategoryHash.hash(storedIn: values[0]) == CategoryHash.hash(integer: 7))
        #expect(CategoryHash.hash(storedIn: values[1]) != CategoryHash.hash(integer: 7))
        #expect(CategoryHash.hash(storedIn: values[2]) == CategoryHash.hash(integer: -12))
    }

    @Test("malformed categorical fields fail naming the line and the column", arguments: [
        (#"1,ab"c,2"#, 2, "a quote inside an unquoted field"),
        (#"1,x",2"#, 2, "a quote inside an unquoted field"),
        (#"1, "a",2"#, 2, "a quote inside an unquoted field"),
        (#"1,"ab"c,2"#, 2, "text after the closing quote"),
        (#"1,"ab" ,2"#, 2, "text after the closing quote"),
        (#"1,"ab"#, 2, "no closing quote"),
        (#"1,"ab,2"#, 2, "no closing quote"),
        (#"1,"ab"""#, 2, "no closing quote"),
        (#"1,""#, 2, "no closing quote"),
        (#"1,ok,"ab"#, 3, "no closing quote"),
        ("1,ok,ab\"\r", 3, "a quote inside an unquoted field"),
    ] as [(String, Int, String)])
    func malformedCategories(line: String, column: Int, mentions: String) {
        let schema = ColumnSchema(columnCount: 3, categoricalColumns: [1, 2])
        let error = Self.error(line, schema: schema, lineNumber: 17)
        #expect(error?.line == 17, "\(line): \(String(describing: error))")
        #expect(error?.column == column, "\(line): \(String(describing: error))")
        #expect(error?.message.contains(mentions) == true, "\(line): \(String(describing: error))")
        #expect(error?.description.hasPrefix("line 17, column \(column): ") == true)
    }

    @Test("text in a numeric column is an error naming the row and the column, as in numeric rows", arguments: [
        ("abc,a,1", 1, "'abc' is not a number"), ("1,a,x", 3, "'x' is not a number"), ("1,a,\"1,5\"", 3, "'\"1' is not a number"),
        ("1,a,2..5", 3, "'2..5' is not a number"),
    ] as [(String, Int, String)])
    func textInNumericColumn(line: String, column: Int, message: String) {
        let schema = ColumnSchema(columnCount: 3, categoricalColumns: [1])
        #expect(Self.error(line, schema: schema, lineNumber: 4) == CSVError(line: 4, column: column, message: message))
    }

    @Test("values longer than the limit fail; the limit counts unescaped bytes")
    func lengthLimit() throws {
        let schema = ColumnSchema(columnCount: 3, categoricalColumns: [1])
        for accepted in ["1,12345678,2", #"1,"12345678",2"#, #"1,"123""4567",2"#, "1,,2"] {
            #expect(Self.error(accepted, schema: schema, categoryByteCountMax: 8) == nil, "\(accepted)")
        }
        for (refused, byteCount) in [("1,123456789,2", 9), (#"1,"123456789",2"#, 9), (#"1,"1234""5678",2"#, 9)] {
            let error = Self.error(refused, schema: schema, lineNumber: 3, categoryByteCountMax: 8)
            #expect(error?.line == 3 && error?.column == 2, "\(refused): \(String(describing: error))")
            #expect(error?.message.contains("\(byteCount) bytes is longer than the limit of 8 bytes") == true, "\(String(describing: error))")
        }
        let limit = CSVRowParser.categoryByteCountMax
        #expect(limit == 64 * 1024)
        let longest = String(repeating: "x", count: limit)
        Self.expectRow(try Self.parse("1,\(longest),2", schema: schema), [.number(1), .category(longest), .number(2)])
        #expect(Self.error("1,\(longest)y,2", schema: schema)?.column == 2)
        #expect(Self.error("1,\"\(longest)\"\"\",2", schema: schema)?.column == 2)
    }

    @Test("numeric columns read exactly as the numeric parser reads them, whatever columns are categorical")
    func numericColumnsUnchanged() throws {
        var generator = SeededGenerator(seed: 31)
        var fields = ["0", "-0", "5.", ".5", "-.5", "1e3", "\"2.5\"", " 7 ", "9007199254740993", "0.30000000000000004", "NaN", "",
                      "nan", "NA", "N/A", "null", "None", "-inf", "Infinity", "1234567890123456789", "0.00000000000000000000001"]
        for _ in 0..<3000 {
            fields.append(Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &generator)).description)
            fields.append(String(format: "%.\(Int.random(in: 0...8, using: &generator))f", Double.random(in: -2000...2000, using: &generator)))
        }
        fields.shuffle(using: &generator)
        var start = 0
        while start < fields.count {
            let row = Array(fields[start..<min(start + Int.random(in: 1...30, using: &generator), fields.count)])
            start += row.count
            let line = row.joined(separator: ",") + (Bool.random(using: &generator) ? "\r" : "")
            let categorical = (0..<row.count).filter { _ in Int.random(in: 0..<4, using: &generator) == 0 }
                .filter { !row[$0].contains("\"") || (row[$0].first == "\"" && row[$0].last == "\"") }
            let schema = ColumnSchema(columnCount: row.count, categoricalColumns: categorical)
            var numeric: [Float] = []
            _ = try Array(line.utf8).withUnsafeBufferPointer { try CSVRowParser.parse(line: $0, lineNumber: 1, into: &numeric) }
            let values = try Self.parse(line, schema: schema)
            #expect(values.count == row.count)
            for column in 0..<row.count where !schema.isCategorical(column) {
                #expect(values[column].bitPattern == numeric[column].bitPattern, "\(row[column]) in \(line.debugDescription)")
            }
            for column in schema.categoricalColumns {
                let text = row[column].hasPrefix("\"") ? String(row[column].dropFirst().dropLast()) : row[column]
                #expect(CategoryHash.hash(storedIn: values[column]) == CategoryHash.hash(text), "\(row[column])")
            }
        }
    }

    @Test("rows read with bytes ahead, copied next to zeros, or too long to copy give the same values")
    func readAheadAndCopies() throws {
        var generator = SeededGenerator(seed: 32)
        let numbers = ["0", "-0", "5.", ".5", "1234567", "12345678", "1.1234567", "-0.402374", "", "NaN", "1e3", " 7", "\"2.5\""]
        let categories = ["", "a", "cat_17", "\"x,y\"", "\"say \"\"hi\"\"\"", "12", "héllo", " pad "]
        func row(columnCount: Int, categorical: Set<Int>) -> String {
            (0..<columnCount).map { column in
                categorical.contains(column)
                    ? categories.randomElement(using: &generator)!
                    : Bool.random(using: &generator)
                        ? numbers.randomElement(using: &generator)!
                        : String(format: "%.\(Int.random(in: 0...6, using: &generator))f", Double.random(in: -5000...5000, using: &generator))
            }.joined(separator: ",")
        }
        for columnCount in [1, 2, 5, 30, 3000] {
            for _ in 0..<(columnCount > 100 ? 3 : 200) {
                let categorical = Set((0..<columnCount).filter { _ in Int.random(in: 0..<3, using: &generator) == 0 })
                let schema = ColumnSchema(columnCount: columnCount, categoricalColumns: categorical)
                guard schema.hasCategoricalColumns else { continue }
                let line = row(columnCount: columnCount, categorical: categorical) + (Bool.random(using: &generator) ? "\r" : "")
                let buffer = Array((line + "\n9,9,9,9,9,9,9,9,9,9\n").utf8)
                let lineLength = line.utf8.count
                var results: [[Float]] = []
                for readable in [nil, lineLength + 1, buffer.count] as [Int?] {
                    var output = [Float](repeating: 0, count: columnCount)
                    let count = try buffer.withUnsafeBufferPointer { bytes in
                        try output.withUnsafeMutableBufferPointer { out in
                            try CSVRowParser.parse(
                                line: UnsafeBufferPointer(rebasing: bytes[..<lineLength]), lineNumber: 1, schema: schema,
                                into: out.baseAddress!, capacity: columnCount, readableCount: readable)
                        }
                    }
                    #expect(count == columnCount, "\(line.debugDescription)")
                    results.append(output)
                }
                #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern), "\(line.debugDescription)")
                #expect(results[0].map(\.bitPattern) == results[2].map(\.bitPattern), "\(line.debugDescription)")
                if columnCount == 3000 { #expect(lineLength > CSVRowParser.copiedLineBytesMax) }
            }
        }
    }

    @Test("a schema without categorical columns is the numeric parser: same values, same errors", arguments: [
        "1,2.5,-3", "\"2.5\", 7 ,NaN,", "1,\"a,b\"", "1,abc", "", "\r", "1e400,-0",
    ])
    func numericSchema(line: String) {
        let schema = ColumnSchema.numeric(columnCount: 3)
        var numeric: [Float] = []
        let bytes = Array(line.utf8)
        let expected = Result { () throws(CSVError) in
            try bytes.withUnsafeBufferPointer { (buffer) throws(CSVError) in try CSVRowParser.parse(line: buffer, lineNumber: 2, into: &numeric) }
        }
        let actual = Result { () throws(CSVError) in try Self.parse(line, schema: schema, lineNumber: 2) }
        switch (expected, actual) {
        case (.success, .success(let values)):
            #expect(values.map(\.bitPattern) == numeric.map(\.bitPattern))
        case (.failure(let expectedError), .failure(let error)):
            #expect(error == expectedError)
        default:
            Issue.record("\(line.debugDescription): numeric \(expected), with a schema \(actual)")
        }
    }

    @Test("fields past the capacity are checked and counted, not stored")
    func capacity() throws {
        let schema = ColumnSchema(columnCount: 4, categoricalColumns: [0, 3])
        var output = [Float](repeating: -1, count: 3)
        let line = Array(#""a,b",2,3,"d",5"#.utf8)
        let count = try line.withUnsafeBufferPointer { bytes in
            try output.withUnsafeMutableBufferPointer { out in
                try CSVRowParser.parse(line: bytes, lineNumber: 1, schema: schema, into: out.baseAddress!, capacity: 2)
            }
        }
        #expect(count == 5)
        Self.expectRow(Array(output.prefix(2)), [.category("a,b"), .number(2)])
        #expect(output[2] == -1)
        let bad = Array(#"a,2,3,"d"#.utf8)
        #expect(throws: CSVError.self) {
            try bad.withUnsafeBufferPointer { bytes in
                try output.withUnsafeMutableBufferPointer { out in
                    try CSVRowParser.parse(line: bytes, lineNumber: 1, schema: schema, into: out.baseAddress!, capacity: 1)
                }
            }
        }
    }

    @Test("an empty line is one empty field: the empty category, or a missing number")
    func emptyLine() throws {
        for base in [nil, UnsafePointer<UInt8>(bitPattern: 0x1000)] {
            let line = UnsafeBufferPointer<UInt8>(start: base, count: 0)
            var categorical: [Float] = []
            #expect(try CSVRowParser.parse(line: line, lineNumber: 1, schema: ColumnSchema(columnCount: 1, categoricalColumns: [0]), into: &categorical) == 1)
            Self.expectRow(categorical, [.category("")])
            var numeric: [Float] = []
            #expect(try CSVRowParser.parse(line: line, lineNumber: 1, schema: ColumnSchema(columnCount: 2, categoricalColumns: [1]), into: &numeric) == 1)
            #expect(numeric.count == 1 && numeric[0].isNaN)
        }
    }

    @Test("columns past the schema are numeric, so a wide row parses and its width can be reported")
    func widerThanSchema() throws {
        let schema = ColumnSchema(columnCount: 2, categoricalColumns: [1])
        Self.expectRow(try Self.parse("1,a,3,4", schema: schema), [.number(1), .category("a"), .number(3), .number(4)])
        #expect(Self.error("1,a,b", schema: schema)?.column == 3)
    }

    @Test("a failed row leaves the values appended so far unchanged")
    func failureAppendsNothing() {
        let schema = ColumnSchema(columnCount: 3, categoricalColumns: [1])
        var values: [Float] = [42]
        let line = Array(#"1,"open,3"#.utf8)
        #expect(throws: CSVError.self) {
            try line.withUnsafeBufferPointer { try CSVRowParser.parse(line: $0, lineNumber: 1, schema: schema, into: &values) }
        }
        #expect(values == [42])
    }

    @Test("categories whose hashes look like NaN (signalling or quiet) and infinities arrive bit for bit")
    func nanPatternHashes() throws {
        var found: [String: UInt32] = [:]  // kind → hash
        var index = 0
        var texts: [String] = []
        while found.count < 2 && index < 100_000 {
            let text = "v\(index)"
            let hash = CategoryHash.hash(text)
            let kind = Float(bitPattern: hash).isSignalingNaN ? "signalling" : Float(bitPattern: hash).isNaN ? "quiet" : nil
            if let kind, found[kind] == nil {
                found[kind] = hash
                texts.append(text)
            }
            index += 1
        }
        #expect(found.count == 2, "no NaN-pattern hashes among \(index) texts")
        let schema = ColumnSchema(columnCount: texts.count + 1, categoricalColumns: 0..<texts.count)
        let values = try Self.parse(texts.joined(separator: ",") + ",1", schema: schema)
        for (column, text) in texts.enumerated() {
            #expect(values[column].bitPattern == CategoryHash.hash(text), "\(text)")
        }
    }
}
