import Model
import Testing
@testable import Serve

@Suite("Invocation payloads")
struct CodecTests {
    @Test("CSV, JSON and JSON Lines decode to the same rows", arguments: [
        (PayloadFormat.csv, "1,2,3\n4,5,6\n"),
        (.csv, "1,2,3\r\n\r\n4,5,6"),
        (.json, "{\"instances\": [[1,2,3],[4,5,6]]}"),
        (.json, "{\"instances\": [{\"features\": [1,2,3]}, {\"features\": [4,5,6]}]}"),
        (.json, "[[1,2,3],[4,5,6]]"),
        (.jsonLines, "[1,2,3]\n{\"features\": [4,5,6]}\n"),
        // SageMaker's tensor forms, dense and sparse (absent columns are 0).
        (.json, "{\"instances\": [{\"data\": {\"features\": {\"values\": [1,2,3]}}}, {\"data\": {\"features\": {\"values\": [4,5,6]}}}]}"),
        (.json, "{\"instances\": [{\"data\": {\"features\": {\"keys\": [2,0,1], \"shape\": [3], \"values\": [3,1,2]}}}, [4,5,6]]}"),
        (.jsonLines, "{\"data\": {\"features\": {\"values\": [1,2,3]}}}\n{\"data\": {\"features\": {\"keys\": [0,1,2], \"values\": [4,5,6]}}}\n"),
        // XGBoost clients' libsvm: label optional, 0-based indexes in any order.
        (.libsvm, "0 0:1 1:2 2:3\n7 2:6 0:4 1:5\n"),
        (.libsvm, "0:1 1:2 2:3\r\n\n1 qid:3 0:4 1:5 2:6"),
    ])
    func decodes(format: PayloadFormat, body: String) throws {
        let decoded = try InvocationCodec.decode(Array(body.utf8), format: format, schema: .numeric(columnCount: 3))
        #expect(decoded.rowCount == 2)
        #expect(decoded.features == [1, 2, 3, 4, 5, 6])
    }

    @Test("sparse rows: absent columns are 0; keys, shape and values are checked")
    func sparseRows() throws {
        let single = "{\"data\": {\"features\": {\"keys\": [1], \"shape\": [3], \"values\": [5]}}}"
        #expect(try InvocationCodec.decode(Array(single.utf8), format: .json, schema: .numeric(columnCount: 3)).features == [0, 5, 0])
        for (body, mentions) in [
            ("{\"data\": {\"features\": {\"keys\": [3], \"values\": [5]}}}", "not a new column index in 0..<3"),
            ("{\"data\": {\"features\": {\"keys\": [1, 1], \"values\": [5, 6]}}}", "not a new column index"),
            ("{\"data\": {\"features\": {\"keys\": [1], \"values\": [5, 6]}}}", "as long as"),
            ("{\"data\": {\"features\": {\"keys\": [1], \"shape\": [4], \"values\": [5]}}}", "must be [3]"),
            ("{\"data\": {\"features\": {\"keys\": [0.5], \"values\": [5]}}}", "not a new column index"),
        ] {
            let error = #expect(throws: InvocationError.self) {
                try InvocationCodec.decode(Array(body.utf8), format: .json, schema: .numeric(columnCount: 3))
            }
            #expect(error?.status == 400)
            #expect(error?.message.contains(mentions) == true, "\(body): \(error?.message ?? "")")
        }
    }

    @Test("libsvm: a column not listed is missing; bad indexes and values name the line; answers are never libsvm")
    func libsvm() throws {
        let decoded = try InvocationCodec.decode(Array("1 2:5\n".utf8), format: .libsvm, schema: .numeric(columnCount: 3))
        #expect(decoded.features[0].isNaN && decoded.features[1].isNaN && decoded.features[2] == 5)
        for (body, mentions) in [("0 3:1\n", "line 1: index 3 is not a column in 0..<3"), ("0 0:1\n0 1:x\n", "line 2, index 1"),
                                 ("0 1:2 5\n", "expected index:value")] {
            let error = #expect(throws: InvocationError.self) {
                try InvocationCodec.decode(Array(body.utf8), format: .libsvm, schema: .numeric(columnCount: 3))
            }
            #expect(error?.message.contains(mentions) == true, "\(body): \(error?.message ?? "")")
        }
        #expect(PayloadFormat(mediaType: "text/x-libsvm") == .libsvm)
        #expect(PayloadFormat.negotiate(accept: nil, requestFormat: .libsvm) == .csv)
        #expect(PayloadFormat.negotiate(accept: "*/*", requestFormat: .libsvm) == .csv)
        #expect(PayloadFormat.negotiate(accept: "text/libsvm", requestFormat: .libsvm) == nil)
        #expect(PayloadFormat.negotiate(accept: "application/json", requestFormat: .libsvm) == .json)
    }

    @Test("media type parameters SageMaker clients send are accepted")
    func mediaTypeParameters() {
        #expect(PayloadFormat(mediaType: "text/csv; label_size=0") == .csv)
        #expect(PayloadFormat(mediaType: "text/csv;charset=UTF-8") == .csv)
        #expect(PayloadFormat(mediaType: "application/json; charset=utf-8") == .json)
        #expect(PayloadFormat(mediaType: "Application/JSONLines") == .jsonLines)
    }

    @Test("single rows and missing values")
    func singleRows() throws {
        #expect(try InvocationCodec.decode(Array("{\"features\": [1, null]}".utf8), format: .json, schema: .numeric(columnCount: 2)).features[1].isNaN)
        #expect(try InvocationCodec.decode(Array("[7, 8]".utf8), format: .json, schema: .numeric(columnCount: 2)).features == [7, 8])
        #expect(try InvocationCodec.decode(Array("1,\n".utf8), format: .csv, schema: .numeric(columnCount: 2)).features[1].isNaN)
    }

    @Test("bad bodies name the row and column", arguments: [
        (PayloadFormat.csv, "1,2,3\n4,x,6\n", "line 2, column 2"),
        (.csv, "1,2,3\n4,5\n", "line 2: 2 columns"),
        (.csv, "  \n", "empty"),
        // Followed by enough text for the row parser's comma masks.
        (.csv, "1,2,3\n4,x,6\n" + String(repeating: "7,8,9\n", count: 20), "line 2, column 2"),
        (.csv, "1,2,3\n4,5\n" + String(repeating: "7,8,9\n", count: 20), "line 2: 2 columns"),
        (.csv, "1,2,3\n4,5,6,-\n" + String(repeating: "7,8,9\n", count: 20), "line 2, column 4"),
        (.csv, "1,2,3\n4,5,6,7\n" + String(repeating: "7,8,9\n", count: 20), "line 2: 4 columns"),
        (.json, "{\"instances\": [[1,2,3],[4,\"a\",6]]}", "row 2, column 2"),
        (.json, "{\"instances\": [[1,2,3],[4,6]]}", "row 2: 2 columns"),
        (.json, "{\"rows\": []}", "expected"),
        (.json, "[1,2", "invalid JSON"),
        (.jsonLines, "[1,2,3]\n[1,2]\n", "row 2"),
    ])
    func failures(format: PayloadFormat, body: String, mentions: String) {
        #expect(throws: InvocationError.self) { try InvocationCodec.decode(Array(body.utf8), format: format, schema: .numeric(columnCount: 3)) }
        do {
            _ = try InvocationCodec.decode(Array(body.utf8), format: format, schema: .numeric(columnCount: 3))
        } catch {
            #expect(error.status == 400)
            #expect(error.message.contains(mentions), "\(error.message)")
        }
    }

    @Test("JSON that RFC 8259 forbids is a 400 naming the byte", arguments: [
        (PayloadFormat.json, #"{"instances": [[+1, 2, 3]]}"#, "byte 16"),
        (.json, #"{"instances": [[01, 2, 3]]}"#, "byte 17"),
        (.json, #"{"instances": [[.5, 2, 3]]}"#, "byte 16"),
        (.json, #"{"instances": [[1., 2, 3]]}"#, "byte 18"),
        (.json, #"{"instances": [[1e, 2, 3]]}"#, "byte 18"),
        (.json, #"{"instances": [[-, 2, 3]]}"#, "byte 17"),
        (.json, #"{"features": [1, 2, 1.]}"#, "byte 22"),
        (.json, #"[1, 2, 03]"#, "byte 8"),
        (.json, #"{"instances": [[1, 2, 3]], "instances": [[4, 5, 6]]}"#, "byte 27"),
        (.json, #"{"instances": [{"features": [1, 2, 3], "features": [4, 5, 6]}]}"#, "byte 39"),
        (.jsonLines, "[1, 2, 3]\n[1, +2, 3]\n", "line 2"),
        (.jsonLines, "[1, 2, 3]\n[1, +2, 3]\n", "byte 4"),
        (.jsonLines, #"{"features": [1, 2, 3], "features": [1, 2, 3]}"#, "duplicate key"),
    ])
    func strictJSON(format: PayloadFormat, body: String, mentions: String) {
        let error = #expect(throws: InvocationError.self) {
            try InvocationCodec.decode(Array(body.utf8), format: format, schema: .numeric(columnCount: 3))
        }
        #expect(error?.status == 400)
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
    }

    @Test("Accept negotiation", arguments: [
        (nil, PayloadFormat.csv, PayloadFormat?.some(.csv)),
        ("*/*", .json, .json),
        ("application/json", .csv, .json),
        ("text/csv;q=0.5, application/jsonlines", .csv, .jsonLines),
        ("image/png", .csv, nil),
        ("image/png, text/*", .json, .csv),
    ] as [(String?, PayloadFormat, PayloadFormat?)])
    func negotiation(accept: String?, request: PayloadFormat, expected: PayloadFormat?) {
        #expect(PayloadFormat.negotiate(accept: accept, requestFormat: request) == expected)
    }

    @Test("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT answers no Accept and */*; a named type still wins")
    func defaultAccept() {
        #expect(PayloadFormat.negotiate(accept: nil, requestFormat: .csv, defaultFormat: .json) == .json)
        #expect(PayloadFormat.negotiate(accept: " ", requestFormat: .csv, defaultFormat: .jsonLines) == .jsonLines)
        #expect(PayloadFormat.negotiate(accept: "*/*", requestFormat: .csv, defaultFormat: .json) == .json)
        #expect(PayloadFormat.negotiate(accept: "text/csv", requestFormat: .json, defaultFormat: .json) == .csv)
    }

    @Test("encodings")
    func encodings() {
        #expect(String(decoding: InvocationCodec.encode([1.5, -2][...], format: .csv), as: UTF8.self) == "1.5\n-2.0\n")
        #expect(String(decoding: InvocationCodec.encode([1.5][...], format: .json), as: UTF8.self) == "{\"predictions\":[{\"score\":1.5}]}")
        #expect(String(decoding: InvocationCodec.encode([1.5, .infinity][...], format: .jsonLines), as: UTF8.self) == "{\"score\":1.5}\n{\"score\":null}\n")
    }

    @Test("numbers are written as Double.description writes them: shortest round-trip text")
    func numberText() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e16, 123456789012345680, .infinity, -.infinity,
            .nan, -.nan, .signalingNaN, Double(bitPattern: 0x7FF8_0000_0000_1234), Double(bitPattern: 0xFFF0_0000_0000_0001)]
        values += (0..<2000).map { _ in Double(bitPattern: generator.next()) }
        values += (0..<2000).map { _ in Double.random(in: -10...10, using: &generator) }
        let text = String(decoding: InvocationCodec.encode(values[...], format: .csv), as: UTF8.self)
        #expect(text == values.map { "\($0.description)\n" }.joined())
    }
}
