import Foundation
import SwiftProtobuf
import Model
import Testing
@testable import Serve

/// Bodies written the SageMaker SDK's way by scripts/make_recordio_fixtures.py, each with the
/// rows a reader must decode (`<case>_expected.csv`, one line per record).
enum RecordIOFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let cases = ["dense_float32", "dense_float64_labeled", "dense_int32", "sparse_float32", "sparse_float64", "sparse_int32", "multipart"]

    static func body(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name + ".recordio")))
    }

    static func rows(_ name: String) throws -> [[Float]] {
        let text = try String(contentsOf: directory.appendingPathComponent(name + "_expected.csv"), encoding: .utf8)
        return text.split(separator: "\n").map { line in line.split(separator: ",").map { Float(Double($0)!) } }
    }
}

/// A RecordIO frame written here byte by byte (a reference beside RecordIOWriter), any flag.
func recordIOFrame(_ payload: [UInt8], flag: UInt32 = 0, length: UInt32? = nil) -> [UInt8] {
    var bytes: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE]
    let header = flag << 29 | (length ?? UInt32(payload.count))
    bytes += [UInt8(header & 0xFF), UInt8(header >> 8 & 0xFF), UInt8(header >> 16 & 0xFF), UInt8(header >> 24)]
    return bytes + payload + Array(repeating: 0, count: (4 - payload.count % 4) % 4)
}

/// One serialized Record whose feature "values" is the given Value.
func recordPayload(_ value: Aialgs_Data_Value, named name: String = "values") throws -> [UInt8] {
    var record = Aialgs_Data_Record()
    record.features[name] = value
    return try record.serializedBytes()
}

func float32Value(_ values: [Float], keys: [UInt64] = [], shape: [UInt64] = []) -> Aialgs_Data_Value {
    var tensor = Aialgs_Data_Float32Tensor()
    tensor.values = values
    tensor.keys = keys
    tensor.shape = shape
    var value = Aialgs_Data_Value()
    value.float32Tensor = tensor
    return value
}

func sameBits(_ actual: [Float], _ expected: [Float]) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

@Suite("RecordIO-protobuf payloads")
struct RecordIOTests {
    @Test("SDK-written bodies decode to their rows: dense float32/float64/int32, sparse, labeled, multi-part", arguments: RecordIOFixtures.cases)
    func fixtures(name: String) throws {
        let expected = try RecordIOFixtures.rows(name)
        let columnCount = try #require(expected.first).count
        let decoded = try InvocationCodec.decode(try RecordIOFixtures.body(name), format: .recordIO, schema: .numeric(columnCount: columnCount))
        #expect(decoded.rowCount == expected.count)
        #expect(sameBits(decoded.features, expected.flatMap { $0 }))
    }

    @Test("the messages re-encode SDK-written records byte for byte", arguments: RecordIOFixtures.cases)
    func reencodes(name: String) throws {
        let body = try RecordIOFixtures.body(name)
        var reader = RecordIOReader(body)
        var count = 0
        while let payload = try reader.next() {
            let bytes: [UInt8]
            switch payload {
            case .inBody(let range): bytes = Array(body[range])
            case .reassembled(let joined): bytes = joined
            }
            let record = try Aialgs_Data_Record(serializedBytes: bytes)
            #expect(try record.serializedBytes() == bytes, "\(name) record \(reader.recordNumber)")
            #expect(record.unknownFields.data.isEmpty)
            count += 1
        }
        #expect(count == (try RecordIOFixtures.rows(name)).count)
    }

    @Test("the name maps give the schema's text-format and JSON names")
    func nameMaps() throws {
        var expected = Aialgs_Data_Record()
        var int32 = Aialgs_Data_Value()
        int32.int32Tensor.values = [1, -2]
        int32.int32Tensor.keys = [3, 4]
        int32.int32Tensor.shape = [7]
        expected.features["values"] = int32
        var bytes = Aialgs_Data_Value()
        bytes.bytes.value = [Data([1, 2])]
        bytes.bytes.contentType = "image/png"
        expected.label["raw"] = bytes
        var float64 = Aialgs_Data_Value()
        float64.float64Tensor.values = [0.5]
        expected.label["values"] = float64
        expected.uid = "u"
        expected.metadata = "m"
        expected.configuration = "c"
        let text = """
            features { key: "values" value { int32_tensor { values: [1, -2] keys: [3, 4] shape: 7 } } }
            label { key: "raw" value { bytes { value: "\\001\\002" content_type: "image/png" } } }
            label { key: "values" value { float64_tensor { values: 0.5 } } }
            uid: "u" metadata: "m" configuration: "c"
            """
        #expect(try Aialgs_Data_Record(textFormatString: text) == expected)
        let json = """
            {"features": {"values": {"int32Tensor": {"values": [1, -2], "keys": ["3", "4"], "shape": ["7"]}}},
             "label": {"raw": {"bytes": {"value": ["AQI="], "contentType": "image/png"}},
                       "values": {"float32Tensor": {"values": [0.5]}}},
             "uid": "u", "metadata": "m", "configuration": "c"}
            """
        var fromJSON = try Aialgs_Data_Record(jsonString: json)
        #expect(fromJSON != expected)  // float32Tensor is not float64Tensor
        fromJSON.label["values"] = float64
        #expect(fromJSON == expected)
        #expect(try Aialgs_Data_Record(jsonString: try expected.jsonString()) == expected)
        #expect(Aialgs_Data_Record.protoMessageName == "aialgs.data.Record")
        #expect(Aialgs_Data_Float32Tensor.protoMessageName == "aialgs.data.Float32Tensor")
    }

    @Test("multi-part records are reassembled with the magic between the parts")
    func multiPart() throws {
        let payload = try recordPayload(float32Value([1, 2, 3]))
        // Any split works for the reader: cut the payload into three 4-aligned parts.
        let parts = [Array(payload[..<4]), Array(payload[4..<8]), Array(payload[8...])]
        let magic: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE]
        let body = recordIOFrame(parts[0], flag: 1) + recordIOFrame(parts[1], flag: 2) + recordIOFrame(parts[2], flag: 3)
        var reader = RecordIOReader(body)
        guard case .reassembled(let joined)? = try reader.next() else { Issue.record("not reassembled"); return }
        #expect(joined == parts[0] + magic + parts[1] + magic + parts[2])
        #expect(try reader.next() == nil)
    }

    @Test("bad framing, bad protobuf and bad rows are 400s naming the record", arguments: try RecordIOTests.badBodies())
    func failures(body: [UInt8], mentions: String) {
        let error = #expect(throws: InvocationError.self) {
            try InvocationCodec.decode(body, format: .recordIO, schema: .numeric(columnCount: 3))
        }
        #expect(error?.status == 400)
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
    }

    static func badBodies() throws -> [([UInt8], String)] {
        let good = recordIOFrame(try recordPayload(float32Value([1, 2, 3])))
        func tensorBody(_ value: Aialgs_Data_Value) throws -> [UInt8] { good + recordIOFrame(try recordPayload(value)) }
        var bytesValue = Aialgs_Data_Value()
        bytesValue.bytes.value = [Data([1])]
        let huge: UInt64 = 1 << 40
        return [
            ([], "empty request body"),
            ([0x0B] + good.dropFirst(), "record 1 at byte 0: 0xced7230b is not the RecordIO magic"),
            (good + Array(good.prefix(5)), "record 2 at byte \(good.count): 5 bytes left, a header takes 8"),
            (Array(good.dropLast(4)), "record 1 at byte 0: \(good.count - 8) payload bytes (\(good.count - 8) padded) announced, \(good.count - 12) left"),
            (recordIOFrame([], length: (1 << 29) - 1), "536870911 payload bytes"),
            (good + recordIOFrame([0xFF, 0xFF, 0xFF, 0xFF]), "record 2: not an aialgs.data.Record protobuf"),
            (good + recordIOFrame([0x0A, 0x10, 0x0A]), "record 2: not an aialgs.data.Record protobuf"),
            (recordIOFrame(Array(good.dropFirst(8)), flag: 2), "record 1 at byte 0: continuation flag 2 with no first part"),
            (recordIOFrame([1, 2, 3, 4], flag: 1), "the body ends inside this multi-part record"),
            (recordIOFrame([1, 2, 3, 4], flag: 1) + good, "has flag 0, expected 2 or 3"),
            (recordIOFrame([], flag: 5), "continuation flag 5 is not 0…3"),
            (try tensorBody(float32Value([1, 2])), "record 2: 2 values, the model expects 3 columns"),
            (try tensorBody(float32Value([1, 2, 3, 4])), "record 2: 4 values, the model expects 3 columns"),
            (try tensorBody(float32Value([1, 2, 3], shape: [huge])), "record 2: shape [1099511627776] is not [3]"),
            (try tensorBody(float32Value([1], keys: [huge - 1], shape: [huge])), "shape [1099511627776] is not [3]"),
            (try tensorBody(float32Value([1], keys: [huge - 1])), "record 2: sparse key 1099511627775 is not a new column index in 0..<3"),
            (try tensorBody(float32Value([1], keys: [3], shape: [3])), "sparse key 3 is not a new column index in 0..<3"),
            (try tensorBody(float32Value([1, 2], keys: [1, 1], shape: [3])), "sparse key 1 is not a new column index"),
            (try tensorBody(float32Value([1, 2], keys: [1], shape: [3])), "sparse tensor with 1 keys for 2 values"),
            (try tensorBody(float32Value([1, 2, 3], shape: [1, 3])), "shape [1, 3] is not [3]"),
            (try tensorBody(bytesValue), "record 2: feature \"values\" holds bytes"),
            (try tensorBody(Aialgs_Data_Value()), "record 2: feature \"values\" holds no tensor"),
            (good + recordIOFrame(try recordPayload(float32Value([1, 2, 3]), named: "data")), "no feature named \"values\" (the row's tensor); it has \"data\""),
            (good + recordIOFrame(try Aialgs_Data_Record().serializedBytes()), "record 2: no feature named \"values\""),
        ]
    }

    @Test("sparse rows: absent columns are 0, as in the JSON tensor form; an empty row is its shape alone")
    func sparseRows() throws {
        let body = recordIOFrame(try recordPayload(float32Value([5, -1], keys: [2, 0], shape: [3])))
            + recordIOFrame(try recordPayload(float32Value([], shape: [3])))
            + recordIOFrame(try recordPayload(float32Value([.nan], keys: [1])))
        let decoded = try InvocationCodec.decode(body, format: .recordIO, schema: .numeric(columnCount: 3))
        #expect(decoded.rowCount == 3)
        #expect(sameBits(decoded.features, [-1, 0, 5, 0, 0, 0, 0, .nan, 0]))
        let json = #"{"data": {"features": {"keys": [2, 0], "shape": [3], "values": [5, -1]}}}"#
        #expect(try InvocationCodec.decode(Array(json.utf8), format: .json, schema: .numeric(columnCount: 3)).features == [-1, 0, 5])
    }

    @Test("answers: one record per prediction, label \"score\" a one-value Float32Tensor, in order")
    func answers() throws {
        let predictions: [Double] = [0.25, -3.5, 1e10, .nan, 1.0 / 3]
        let body = InvocationCodec.encode(predictions[...], format: .recordIO)
        #expect(try RecordIOAnswer.scores(body).count == predictions.count)
        #expect(sameBits(try RecordIOAnswer.scores(body), predictions.map { Float($0) }))
        var reader = RecordIOReader(body)
        while case .inBody(let range)? = try reader.next() {
            let record = try Aialgs_Data_Record(serializedBytes: Array(body[range]))
            #expect(record.features.isEmpty && Array(record.label.keys) == ["score"])
        }
        #expect(InvocationCodec.encode(prediction: 0.5, format: .recordIO) == InvocationCodec.encode([0.5][...], format: .recordIO))
    }

    @Test("the answer template gives the bytes of a Record serialized per prediction")
    func answerTemplate() {
        let scores: [Double] = [0, -0.0, 1, -1.5, .pi, 1e-45, -3e38, 1e300, .infinity, -.infinity, .nan, Double(Float.leastNormalMagnitude)]
        var reference: [UInt8] = []
        for score in scores { RecordIOWriter.append(record: RecordIOProtobufCodec.scoreRecord(Float(score)), to: &reference) }
        var fast: [UInt8] = []
        RecordIOProtobufCodec.appendRecords(scores, to: &fast)
        #expect(fast == reference)
    }

    @Test("media type, negotiation and the lists the 415/406 answers give")
    func mediaType() {
        #expect(PayloadFormat(mediaType: "application/x-recordio-protobuf") == .recordIO)
        #expect(PayloadFormat(mediaType: "Application/X-RecordIO-Protobuf; charset=binary") == .recordIO)
        #expect(PayloadFormat.negotiate(accept: nil, requestFormat: .recordIO) == .recordIO)
        #expect(PayloadFormat.negotiate(accept: "text/csv", requestFormat: .recordIO) == .csv)
        #expect(PayloadFormat.negotiate(accept: "application/x-recordio-protobuf", requestFormat: .csv) == .recordIO)
        #expect(PayloadFormat.negotiate(accept: "application/*", requestFormat: .recordIO) == .recordIO)
        #expect(PayloadFormat.requestTypesList.contains("application/x-recordio-protobuf"))
        #expect(PayloadFormat.answerTypesList.contains("application/x-recordio-protobuf"))
        #expect(!PayloadFormat.answerTypesList.contains("libsvm"))
    }
}

/// Reads the scores out of a recordio answer, as a client would.
enum RecordIOAnswer {
    static func scores(_ body: [UInt8]) throws -> [Float] {
        var reader = RecordIOReader(body)
        var scores: [Float] = []
        while let payload = try reader.next() {
            guard case .inBody(let range) = payload else { throw ServeError("a multi-part answer record") }
            let record = try Aialgs_Data_Record(serializedBytes: Array(body[range]))
            guard let score = record.label["score"], case .float32Tensor(let tensor)? = score.value, tensor.values.count == 1 else {
                throw ServeError("record \(reader.recordNumber) has no one-value score")
            }
            scores.append(tensor.values[0])
        }
        return scores
    }
}
