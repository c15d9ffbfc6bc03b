// The user-space half of a 1-row /invocations request, one core, release build: the HTTP
// connection parsing a request, the CSV body decoded, one row scored, the answer encoded and
// serialized into an output buffer. Sockets and the kernel are left out, so the number is steady where a wrk run on
// a shared machine is not (Benchmarks/compare_serve.py measures the whole server).
//
// Usage: ServeBenchmarks MODEL [SECONDS]
// Prints one JSON object: {"stage": …, "nanoseconds_per_request": …} per stage (the fastest of
// ten windows), then the total, then the CSV decoding of a 10k-row body per row, then a
// 1,000-row x 30-column body decoded from CSV, RecordIO-protobuf and JSON, and 1,000
// predictions encoded in each.
import IOUring
import Model
import Serve
import Train  // RandomGenerator
import Foundation  // String(format:) for the bodies only, outside every timed loop

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double { Double(MonotonicTime.nanoseconds) * 1e-9 }

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: ServeBenchmarks MODEL [SECONDS]")
    exit(2)
}
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 1 : 1
let evaluator: Evaluator
do {
    evaluator = Evaluator(try ModelLoader.load(path: arguments[1]))
} catch {
    print("ServeBenchmarks: \(error)")
    exit(1)
}
// Feature text as compare_serve.py's bodies have it (numpy's "%.6g" of standard normals), so
// signs and lengths vary from field to field and a parser that branches on them mispredicts
// as it would on real data.
// Seeded, so every run decodes the same body.
var generator = RandomGenerator(seed: 42)
func featureRow(_ generator: inout RandomGenerator) -> String {
    (0..<evaluator.columnCount).map { _ in
        // Box–Muller from two uniforms, the first in (0, 1].
        let u1 = 1 - Double.random(in: 0..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return String(format: "%.6g", (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }.joined(separator: ",")
}
let row = featureRow(&generator)
let request = Array(
    ("POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: \(row.utf8.count)\r\n"
        + "Content-Type: text/csv\r\n\r\n" + row).utf8)

/// Nanoseconds per call of `body`: the fastest of ten windows of `seconds / 10`, because on a
/// shared machine the slow windows measure the neighbours. The clock is read every
/// `callsPerCheck` calls (fewer for calls of milliseconds).
func measure(callsPerCheck: Int = 1000, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<10 {
        var calls = 0
        let start = now()
        var elapsed = 0.0
        while elapsed < seconds / 10 {
            for _ in 0..<callsPerCheck { body() }
            calls += callsPerCheck
            elapsed = now() - start
        }
        best = min(best, elapsed / Double(calls) * 1e9)
    }
    return best
}

var connection = HTTPConnection()
var actions: [HTTPConnection.Action] = []
var parsed: HTTPRequest?
let parse = measure {
    request.withUnsafeBytes { connection.received($0, at: 0, into: &actions) }
    guard case .handle(let request) = actions.last else { fatalError("no request parsed: \(actions)") }
    parsed = request
    actions.removeAll(keepingCapacity: true)
    connection.respond(HTTPResponse(status: 200), at: 0, into: &actions)
    actions.removeAll(keepingCapacity: true)
}
let body = parsed!.body
var features: [Float] = []
let decode = measure {
    features = try! InvocationCodec.decode(body, format: .csv, columnCount: evaluator.columnCount).features
}
var prediction = 0.0
let score = measure { prediction += evaluator.predict(row: features) }
// The answer goes into a reused buffer, as into a connection's queued output.
var output: [UInt8] = []
let encode = measure {
    let answer = InvocationCodec.encode(prediction: prediction, format: .csv)
    output.removeAll(keepingCapacity: true)
    HTTPResponse(status: 200, contentType: "text/csv", body: answer).serialize(into: &output, keepAlive: true)
}
for (stage, nanoseconds) in [("parse", parse), ("decode", decode), ("score", score), ("encode", encode)] {
    print("{\"stage\": \"\(stage)\", \"nanoseconds_per_request\": \(Int(nanoseconds))}")
}
print("{\"stage\": \"total\", \"nanoseconds_per_request\": \(Int(parse + decode + score + encode))}")

let bigBody = Array((0..<10_000).map { _ in featureRow(&generator) }.joined(separator: "\n").utf8)
let decodeRows = measure {
    features = try! InvocationCodec.decode(bigBody, format: .csv, columnCount: evaluator.columnCount).features
}
print("{\"stage\": \"decode 10k rows\", \"nanoseconds_per_row\": \(Int(decodeRows / 10_000))}")

// RecordIO-protobuf beside CSV: the same 1,000 rows x 30 columns (the benchmark's column count,
// not the model's: decoding evaluates nothing), so the binary format is seen not to be the slow one.
let tableColumnCount = 30
let tableRows: [[Float]] = (0..<1000).map { _ in
    (0..<tableColumnCount).map { _ in
        let u1 = 1 - Double.random(in: 0..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return Float(String(format: "%.6g", (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)))!
    }
}
let tableCSV = Array(tableRows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n").utf8)

/// A protobuf varint.
func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
    var value = UInt64(value)
    while value >= 0x80 {
        bytes.append(UInt8(value & 0x7F) | 0x80)
        value >>= 7
    }
    bytes.append(UInt8(value))
}

/// A length-delimited protobuf field: tag (field number, wire type 2), length, bytes.
func lengthDelimited(field: Int, _ content: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    appendVarint(field << 3 | 2, to: &bytes)
    appendVarint(content.count, to: &bytes)
    return bytes + content
}

/// The SDK's dense float32 row spelled out in wire bytes, framed as `_write_recordio` frames it:
/// Record { features (1): entry { key (1): "values", value (2): Value { float32_tensor (2):
/// Float32Tensor { values (1): packed floats } } } }. Written here so the benchmark needs no
/// protobuf library of its own.
func recordIOFrame(row: [Float]) -> [UInt8] {
    let floats = row.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    let tensor = lengthDelimited(field: 1, floats)
    let value = lengthDelimited(field: 2, tensor)
    let entry = lengthDelimited(field: 1, Array("values".utf8)) + lengthDelimited(field: 2, value)
    let record = lengthDelimited(field: 1, entry)
    var frame: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE]  // 0xced7230a, little-endian
    withUnsafeBytes(of: UInt32(record.count).littleEndian) { frame.append(contentsOf: $0) }
    return frame + record + Array(repeating: 0, count: (4 - record.count % 4) % 4)
}
let tableRecordIO = tableRows.flatMap(recordIOFrame(row:))
// JSON, the other structured format, for scale.
let tableJSON = Array(("{\"instances\": [" + tableRows.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]}").utf8)
let tableBodies = [(PayloadFormat.csv, tableCSV), (.recordIO, tableRecordIO), (.json, tableJSON)]
for (format, body) in tableBodies {
    let decoded = try! InvocationCodec.decode(body, format: format, columnCount: tableColumnCount)
    precondition(decoded.features == tableRows.flatMap { $0 }, "every body must hold the same rows")
}
for (format, body) in tableBodies {
    let nanoseconds = measure(callsPerCheck: 10) {
        features = try! InvocationCodec.decode(body, format: format, columnCount: tableColumnCount).features
    }
    print(
        "{\"stage\": \"decode 1k rows x 30, \(format.rawValue)\", \"body_bytes\": \(body.count), "
            + "\"nanoseconds_per_row\": \(Int(nanoseconds / 1000)), \"megabytes_per_second\": \(Int(Double(body.count) / nanoseconds * 1e3))}")
}
let tablePredictions = tableRows.map { Double($0[0]) }
for format in [PayloadFormat.csv, .recordIO, .json] {
    var answer: [UInt8] = []
    let nanoseconds = measure(callsPerCheck: 10) { answer = InvocationCodec.encode(tablePredictions[...], format: format) }
    print(
        "{\"stage\": \"encode 1k predictions, \(format.rawValue)\", \"body_bytes\": \(answer.count), "
            + "\"nanoseconds_per_prediction\": \(Int(nanoseconds / 1000))}")
}
