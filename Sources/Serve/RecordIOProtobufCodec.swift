import SwiftProtobuf

/// `application/x-recordio-protobuf`: SageMaker's `aialgs.data.Record` messages in RecordIO
/// frames, one record per row, as the SageMaker Python SDK writes them
/// (`sagemaker.amazon.common.write_numpy_to_dense_tensor` / `write_spmatrix_to_sparse_tensor`)
/// and built-in algorithms and inference pipelines send them.
///
/// A row is the feature named "values": a Float32Tensor, Float64Tensor or Int32Tensor, dense
/// (`values` holds every column) or sparse (`keys` are 0-based column indexes of `values`;
/// `shape`, the SDK always writes it, must then be the column count). Absent columns of a sparse
/// row are 0, as in the JSON tensor form `{"keys", "shape", "values"}` that the developer guide
/// ("Common data formats for inference") gives as this tensor's equivalent, and as in the scipy
/// matrices the SDK writes such rows from: the model was trained on the same matrix written out
/// densely, zeros and all. Labels, `uid`, `metadata` and `configuration` are ignored.
enum RecordIOProtobufCodec {
    /// The feature (and label) name SageMaker uses for a record's vector.
    static let vectorKey = "values"
    /// The label name the built-in algorithms answer a prediction under.
    static let scoreKey = "score"

    static func decode(_ body: [UInt8], columnCount: Int) throws(InvocationError) -> (features: [Float], rowCount: Int) {
        guard !body.isEmpty else { throw .badRequest("empty request body: send at least one row") }
        var reader = RecordIOReader(body)
        var rows = RowAssembler(columnCount: columnCount)
        while let payload = try reader.next() {
            let record = try decodeRecord(payload, in: body, number: reader.recordNumber)
            try rows.append(record, number: reader.recordNumber)
        }
        guard rows.rowCount > 0 else { throw .badRequest("no rows in the request") }
        return (rows.features, rows.rowCount)
    }

    private static func decodeRecord(_ payload: RecordIOReader.Payload, in body: [UInt8], number: Int) throws(InvocationError)
        -> Aialgs_Data_Record
    {
        var record = Aialgs_Data_Record()
        do {
            switch payload {
            case .inBody(let range): try record.merge(serializedBytes: body.span.bytes.extracting(range))
            case .reassembled(let bytes): try record.merge(serializedBytes: bytes)
            }
        } catch {
            throw .badRequest("RecordIO record \(number): not an aialgs.data.Record protobuf (\(error))")
        }
        return record
    }

    /// One record per prediction, the prediction under the label "score" as a one-element
    /// Float32Tensor: the built-in algorithms' regression answer (developer guide, "Linear
    /// learner response formats", RECORDIO, Regression). The XGBoost container has no such
    /// default: its `/invocations` hands recordio Accepts to sagemaker-containers' `encoders`,
    /// whose encoder map has no recordio entry, and only its selectable-output path
    /// (`_encode_selected_predictions_recordio_protobuf` in algorithm_mode/serve_utils.py, with
    /// SAGEMAKER_INFERENCE_OUTPUT) writes records, likewise one per row with one float32 label
    /// per selected key (for regression "predicted_score").
    ///
    /// Every answer record is the same bytes but for the score, the payload's last four bytes
    /// (the packed float is the last field written), so each frame is `scoreFrameHead` and the
    /// score: ~10x faster than serializing a Record per prediction (~700 ns each on the 2-core
    /// development machine, more than scoring a row), and `scoreRecord` is kept as the reference.
    static func appendRecords<Predictions: Collection<Double>>(_ predictions: Predictions, to bytes: inout [UInt8]) {
        let head = scoreFrameHead
        bytes.reserveCapacity(bytes.count + predictions.count * (head.count + 4 + scoreFramePaddingCount))
        for prediction in predictions {
            bytes.append(contentsOf: head)
            withUnsafeBytes(of: Float(prediction).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            for _ in 0..<scoreFramePaddingCount { bytes.append(0) }
        }
    }

    /// One answer record, serialized by SwiftProtobuf: the reference `scoreFrameHead` is cut from.
    static func scoreRecord(_ score: Float) -> [UInt8] {
        var value = Aialgs_Data_Value()
        value.float32Tensor.values = [score]
        var record = Aialgs_Data_Record()
        record.label[scoreKey] = value
        do {
            return try record.serializedBytes()
        } catch {
            // Only missing required fields (the schema has none) or a 2 GiB message fail.
            preconditionFailure("encoding a one-score Record failed: \(error)")
        }
    }

    /// Magic, length and every payload byte before the score, checked once against two records
    /// that differ only in their score.
    static let scoreFrameHead: [UInt8] = {
        let zero = scoreRecord(0)
        let one = scoreRecord(1)
        let scoreOffset = zero.count - 4
        precondition(one.count == zero.count && one[..<scoreOffset] == zero[..<scoreOffset], "the score is not the record's tail")
        precondition(Array(one[scoreOffset...]) == [0x00, 0x00, 0x80, 0x3F], "the score is not a little-endian float32")
        var frame: [UInt8] = []
        RecordIOWriter.append(record: zero, to: &frame)
        return Array(frame[..<(RecordIOReader.headerByteCount + scoreOffset)])
    }()

    static let scoreFramePaddingCount = (4 - (scoreFrameHead.count - RecordIOReader.headerByteCount + 4) % 4) % 4
}
