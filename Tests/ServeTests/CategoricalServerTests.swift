import Foundation
import IOUring
import Model
import Testing
@testable import Serve

/// A CatBoost model with one-hot and CTR features (Tests/ModelTests/Fixtures/categorical,
/// written by scripts/make_categorical_fixtures.py) served from a model directory.
final class CategoricalTestModel: Sendable {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ModelTests/Fixtures/categorical").path
    let directory: String
    /// The fixture's rows as CSV lines and CatBoost's predictions for them.
    let lines: [String]
    let expected: [Double]

    init(name: String = "cat_onehot_ctr") throws {
        directory = NSTemporaryDirectory() + "symmetree-serve-categorical-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(Self.fixtures)/\(name).cbm", toPath: directory + "/model.cbm")
        lines = try String(contentsOfFile: "\(Self.fixtures)/\(name)_features.csv", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        expected = try String(contentsOfFile: "\(Self.fixtures)/\(name)_expected.txt", encoding: .utf8)
            .split(separator: "\n").map { Double(String($0.split(separator: ",")[1]))! }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

extension LiveServerSuites {
    @Suite("Categorical models served", .serialized)
    struct CategoricalServerTests {
        static let backends: [BackendPreference] = [.ioUring, .epoll]

        func start(_ backend: BackendPreference, _ model: CategoricalTestModel) throws -> RunningServer {
            try startServer(backend: backend, modelDirectory: model.directory)
        }

        @Test("CSV bodies (quoted, empty, unseen and non-ASCII categories) score as CatBoost does", arguments: backends)
        func csvBodies(backend: BackendPreference) throws {
            let model = try CategoricalTestModel()
            let server = try start(backend, model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let whole = try #require(client.request(
                "POST", "/invocations", body: model.lines.joined(separator: "\r\n") + "\r\n", headers: ["Content-Type": "text/csv"]))
            #expect(whole.status == 200)
            #expect(same(parseCSV(whole.body), model.expected))
            for index in stride(from: 0, to: model.lines.count, by: 37) {
                let single = client.request("POST", "/invocations", body: model.lines[index], headers: ["Content-Type": "text/csv"])
                #expect(same(single.map { parseCSV($0.body) }, [model.expected[index]]), "row \(index)")
            }
            // Large enough for the batcher and the per-core slices.
            let repeated = Array(repeatElement(model.lines, count: 40).joined())
            let large = try #require(client.request(
                "POST", "/invocations", body: repeated.joined(separator: "\n"), headers: ["Content-Type": "text/csv"]))
            #expect(same(parseCSV(large.body), Array(repeatElement(model.expected, count: 40).joined())))
        }

        @Test("JSON rows take strings and integers in categorical columns", arguments: backends)
        func jsonBodies(backend: BackendPreference) throws {
            let model = try CategoricalTestModel()
            let server = try start(backend, model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let evaluator = Evaluator(try ModelLoader.load(path: model.directory + "/model.cbm"))
            let categorical = Set(evaluator.categoricalColumns)
            let rows = try model.lines.prefix(60).map { line in try Self.fields(line) }
            let instances = rows.map { fields in
                "[" + fields.enumerated().map { column, text in
                    if categorical.contains(column) { return Self.jsonString(text) }
                    return text == "nan" ? "null" : text
                }.joined(separator: ",") + "]"
            }
            let body = "{\"instances\": [" + instances.joined(separator: ",") + "]}"
            let response = try #require(client.request(
                "POST", "/invocations", body: body, headers: ["Content-Type": "application/json", "Accept": "text/csv"]))
            #expect(response.status == 200)
            #expect(same(parseCSV(response.body), Array(model.expected.prefix(60))))
            // An integer is its decimal text; any other number in a categorical column is refused.
            let column = try #require(evaluator.categoricalColumns.first)
            var numbered = rows[0]
            numbered[column] = "7"
            let asText = Self.jsonRow(numbered, categorical: categorical, integerColumn: nil)
            let asInteger = Self.jsonRow(numbered, categorical: categorical, integerColumn: column)
            let viaText = client.request("POST", "/invocations", body: asText, headers: ["Content-Type": "application/json", "Accept": "text/csv"])
            let viaInteger = client.request("POST", "/invocations", body: asInteger, headers: ["Content-Type": "application/json", "Accept": "text/csv"])
            #expect(viaText?.status == 200 && viaText?.body == viaInteger?.body)
            numbered[column] = "7.5"
            let float = client.request(
                "POST", "/invocations", body: Self.jsonRow(numbered, categorical: categorical, integerColumn: column),
                headers: ["Content-Type": "application/json"])
            #expect(float?.status == 400)
            #expect(float?.body.contains("column \(column + 1)") == true && float?.body.contains("not an integer") == true)
        }

        @Test("bad categorical input gets a 400 naming the row and column", arguments: backends)
        func badInput(backend: BackendPreference) throws {
            let model = try CategoricalTestModel()
            let server = try start(backend, model)
            defer { server.shutdown(); server.wait() }
            let client = try RawClient(port: server.port)
            let good = model.lines[0]
            let fields = try Self.fields(good)
            var textInNumeric = fields
            textInNumeric[0] = "oops"
            let cases: [(String, String)] = [
                (good + "\n" + textInNumeric.joined(separator: ","), "line 2, column 1"),
                (good + "\n" + "1.0,\"a\"b,x,yes,b2,0.5", "line 2, column 2"),
                ("1.0,\"abc,x,yes,b2,0.5", "line 1, column 2"),
                ("1.0," + String(repeating: "x", count: 1 << 20) + ",x,yes,b2,0.5", "line 1, column 2"),
                ("1.0,a,b,c\n", "4 columns"),
            ]
            for (body, mentions) in cases {
                let response = client.request("POST", "/invocations", body: body, headers: ["Content-Type": "text/csv"])
                #expect(response?.status == 400, "\(mentions)")
                #expect(response?.body.contains(mentions) == true, "\(response?.body.prefix(200) ?? "") should name \(mentions)")
            }
            #expect(client.request("GET", "/ping")?.status == 200)
        }

        /// A CSV line's fields with RFC 4180 quotes removed (the fixture has no newlines in fields).
        static func fields(_ line: String) throws -> [String] {
            var fields: [String] = []
            var current = ""
            var quoted = false
            var characters = Array(line)[...]
            while let character = characters.popFirst() {
                if quoted {
                    if character == "\"" {
                        if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                    } else {
                        current.append(character)
                    }
                } else if character == "\"" {
                    quoted = true
                } else if character == "," {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            return fields
        }

        static func jsonString(_ text: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
            return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
        }

        static func jsonRow(_ fields: [String], categorical: Set<Int>, integerColumn: Int?) -> String {
            "[" + fields.enumerated().map { column, text in
                if column == integerColumn { return text }
                if categorical.contains(column) { return jsonString(text) }
                return text == "nan" ? "null" : text
            }.joined(separator: ",") + "]"
        }
    }
}
