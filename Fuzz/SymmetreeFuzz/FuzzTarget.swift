// libFuzzer entry point for every parser that reads untrusted bytes. One binary, the parser
// chosen by SYMMETREE_FUZZ_TARGET, because libFuzzer links its own main and SwiftPM builds one
// executable per target. Built only by scripts/fuzz (SYMMETREE_FUZZ=1, -sanitize=fuzzer,address).
#if canImport(Glibc)
import Glibc
#endif
import Model
import Serve

enum Target: String {
    case http, csv, json, jsonlines, libsvm, recordio, model
}

let numeric = ColumnSchema.numeric(columnCount: 3)
let categorical = ColumnSchema(columnCount: 3, categoricalColumns: [1])

let target: Target = {
    guard let raw = getenv("SYMMETREE_FUZZ_TARGET").map({ String(cString: $0) }), let target = Target(rawValue: raw) else {
        fatalError("set SYMMETREE_FUZZ_TARGET to http, csv, json, jsonlines, libsvm, recordio or model")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case .http:
        // Feed the bytes in two pieces (at a split chosen by the first byte) and answer every
        // request with its path echoed, so pipelining, resumption, the close paths and the
        // response writer all run.
        // Limits small enough for short inputs to reach them: the framing and trailer bounds
        // of chunked bodies (the chunk-extension and trailer floods in the corpus) included.
        var limits = HTTPLimits(headerBytesMax: 4096, bodyBytesMax: 65536)
        limits.chunkFramingBytesMax = 4096
        limits.trailerFieldCountMax = 8
        var connection = HTTPConnection(limits: limits)
        var output: [UInt8] = []
        func write(_ actions: [HTTPConnection.Action]) {
            for case .send(let response, let keepAlive) in actions { response.serialize(into: &output, keepAlive: keepAlive) }
        }
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        for piece in [bytes[..<split], bytes[split...]] {
            var actions = piece.withUnsafeBytes { connection.received($0) }
            while let index = actions.firstIndex(where: { if case .handle = $0 { true } else { false } }) {
                guard case .handle(let request) = actions[index] else { break }
                write(Array(actions[..<index]))
                let answer = HTTPResponse(status: 200, contentType: request.header("content-type"), body: Array(request.path.utf8))
                actions = Array(actions[(index + 1)...]) + connection.respond(answer)
            }
            write(actions)
        }
        write(connection.finishAfterCurrent(peerClosed: true))
    case .csv, .json, .jsonlines, .libsvm:
        // Every text format, for a numeric model and for one whose middle column is categorical
        // (quoted text, hashing, numbers as categories).
        let format: PayloadFormat = switch target {
        case .csv: .csv
        case .json: .json
        case .jsonlines: .jsonLines
        default: .libsvm
        }
        _ = try? InvocationCodec.decode(bytes, format: format, schema: numeric)
        if let rows = try? InvocationCodec.decode(bytes, format: format, schema: categorical) {
            precondition(rows.features.count == rows.rowCount * 3)
        }
    case .recordio:
        // RecordIO framing (multi-part records too), the Record protobuf, the rows; rows that
        // decode must also encode as an answer.
        _ = try? InvocationCodec.decode(bytes, format: .recordIO, schema: categorical)
        if let rows = try? InvocationCodec.decode(bytes, format: .recordIO, schema: numeric) {
            precondition(rows.features.count == rows.rowCount * 3)
            _ = InvocationCodec.encode(rows.features.prefix(64).map { Double($0) }, format: .recordIO)
        }
    case .model:
        // Our format, CatBoost .cbm and CatBoost JSON, by their magic; a model that decodes
        // must also evaluate without trapping.
        if let ensemble = try? ModelLoader.decode(bytes) {
            let evaluator = Evaluator(ensemble)
            var row = [Float](repeating: 0.5, count: evaluator.columnCount)
            // Categorical columns: a category the model may know (its first one-hot value) or not.
            for (index, column) in evaluator.categoricalColumns.enumerated() {
                let known = ensemble.oneHotFeatures.first?.values.first ?? 0
                row[column] = CategoryHash.storedValue(index % 2 == 0 ? known : CategoryHash.hash("unseen"))
            }
            _ = evaluator.predict(row: row)
            _ = evaluator.predict(features: Array(repeating: row, count: 9).flatMap { $0 }, rowCount: 9)
        }
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links executables with `main` aliased to `<module>_main`; hand control to libFuzzer.
@_cdecl("SymmetreeFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
