/// Splits a body into the records of MXNet's RecordIO framing, as SageMaker writes it (the
/// Python SDK's `_write_recordio`, sagemaker-containers' `_recordio.py`): per record the
/// little-endian magic 0xced7230a, a little-endian UInt32 whose low 29 bits are the payload's
/// length and top 3 bits a continuation flag, the payload, and zeros up to a multiple of 4 bytes.
///
/// dmlc-core's writer (src/recordio.cc, `RecordIOWriter::WriteRecord`) splits a payload at every
/// 4-aligned occurrence of the magic itself and drops that occurrence: flag 1 marks the first
/// part, 2 a middle one, 3 the last, 0 a whole record; its reader (`RecordIOReader::NextRecord`)
/// puts the magic back between the parts. The SDK's writer never splits, but MXNet-written
/// files do, so parts are reassembled the same way rather than refused.
///
/// Every length is checked against the bytes that remain before anything is read, and a
/// reassembled record only ever holds bytes of the body: no header can make the reader allocate
/// more than the body it was given.
struct RecordIOReader {
    static let magic: UInt32 = 0xCED7_230A
    static let lengthBitCount: UInt32 = 29
    static let headerByteCount = 8

    /// Where a record's payload is: in place, or (multi-part records) joined into a copy.
    enum Payload {
        case inBody(Range<Int>)
        case reassembled([UInt8])
    }

    private let body: [UInt8]
    private var offset = 0
    /// The 1-based number of the record last returned (or being read), for error messages.
    private(set) var recordNumber = 0

    init(_ body: [UInt8]) { self.body = body }

    /// The next record's payload; nil at the end of the body.
    mutating func next() throws(InvocationError) -> Payload? {
        guard offset < body.count else { return nil }
        recordNumber += 1
        let start = offset
        let first = try readFrame()
        switch first.flag {
        case 0: return .inBody(first.payload)
        case 1: break
        default:
            throw .badRequest("RecordIO record \(recordNumber) at byte \(start): continuation flag \(first.flag) with no first part before it")
        }
        var joined = Array(body[first.payload])
        while true {
            guard offset < body.count else {
                throw .badRequest("RecordIO record \(recordNumber) at byte \(start): the body ends inside this multi-part record (no last part, flag 3)")
            }
            let partStart = offset
            let part = try readFrame()
            guard part.flag == 2 || part.flag == 3 else {
                throw .badRequest("RecordIO record \(recordNumber) at byte \(start): the part at byte \(partStart) has flag \(part.flag), expected 2 or 3 inside a multi-part record")
            }
            withUnsafeBytes(of: Self.magic.littleEndian) { joined.append(contentsOf: $0) }
            joined.append(contentsOf: body[part.payload])
            if part.flag == 3 { return .reassembled(joined) }
        }
    }

    /// One header and its padded payload, starting at `offset`.
    private mutating func readFrame() throws(InvocationError) -> (flag: UInt32, payload: Range<Int>) {
        let start = offset
        let remaining = body.count - start
        guard remaining >= Self.headerByteCount else {
            throw .badRequest("RecordIO record \(recordNumber) at byte \(start): \(remaining) bytes left, a header takes 8 (truncated body?)")
        }
        let magic = littleEndianUInt32(at: start)
        guard magic == Self.magic else {
            throw .badRequest("RecordIO record \(recordNumber) at byte \(start): 0x\(String(magic, radix: 16)) is not the RecordIO magic 0xced7230a")
        }
        let header = littleEndianUInt32(at: start + 4)
        let flag = header >> Self.lengthBitCount
        let length = Int(header & ((1 << Self.lengthBitCount) - 1))
        guard flag <= 3 else {
            throw .badRequest("RecordIO record \(recordNumber) at byte \(start): continuation flag \(flag) is not 0…3")
        }
        let paddedLength = (length + 3) & ~3
        guard paddedLength <= remaining - Self.headerByteCount else {
            throw .badRequest(
                "RecordIO record \(recordNumber) at byte \(start): \(length) payload bytes (\(paddedLength) padded) announced, "
                    + "\(remaining - Self.headerByteCount) left (truncated body?)")
        }
        offset = start + Self.headerByteCount + paddedLength
        let payloadStart = start + Self.headerByteCount
        return (flag, payloadStart..<(payloadStart + length))
    }

    private func littleEndianUInt32(at index: Int) -> UInt32 {
        assert(index >= 0 && index + 4 <= body.count)
        return UInt32(body[index]) | UInt32(body[index + 1]) << 8 | UInt32(body[index + 2]) << 16 | UInt32(body[index + 3]) << 24
    }
}
