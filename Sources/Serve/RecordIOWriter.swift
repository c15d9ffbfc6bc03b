/// Writes RecordIO frames as the SageMaker Python SDK's `_write_recordio` does: magic, length
/// (flag 0), payload, zero padding to 4 bytes. Like the SDK, it never splits a payload into
/// parts: readers take a frame's length from its header, and only dmlc's chunk splitter (which
/// SageMaker does not use on response bodies) looks for the magic inside payloads.
enum RecordIOWriter {
    static func append(record payload: [UInt8], to bytes: inout [UInt8]) {
        precondition(payload.count < 1 << RecordIOReader.lengthBitCount, "a RecordIO record holds less than 512 MiB")
        withUnsafeBytes(of: RecordIOReader.magic.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        let padding = (4 - payload.count % 4) % 4
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }
}
