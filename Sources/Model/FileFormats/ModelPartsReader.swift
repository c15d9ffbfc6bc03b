/// The model parts a `.cbm` carries after its core, split into their pieces (`TFullModel::Load`
/// in `catboost/libs/model/model.cpp` reads them in `ModelPartIds` order). The only part CatBoost
/// writes for oblivious models is the static CTR provider: a size (util's `SaveSize`: a ui32, or
/// 0xFFFFFFFF and a ui64), then per table a size and a `TCtrValueTable` flatbuffer.
struct ModelPartsReader {
    let bytes: [UInt8]
    /// Byte ranges of the CTR table flatbuffers.
    private(set) var tableRanges: [Range<Int>] = []

    init(bytes: [UInt8], start: Int, partIDs: [String]) throws(ModelError) {
        self.bytes = bytes
        var position = start
        for partID in partIDs {
            guard partID == CatBoostBinary.staticProviderPartID else {
                throw .unsupported("CatBoost .cbm model part '\(partID)'")
            }
            let tableCount = try readSize(at: &position)
            for _ in 0..<tableCount {
                let size = try readSize(at: &position)
                guard size >= 8, size <= bytes.count - position else {
                    throw .invalid("CatBoost .cbm: a CTR table of \(size) bytes does not fit the file")
                }
                tableRanges.append(position..<(position + size))
                position += size
            }
        }
        guard position == bytes.count else {
            throw .invalid("CatBoost .cbm: \(bytes.count - position) bytes follow the model parts")
        }
    }

    private func readSize(at position: inout Int) throws(ModelError) -> Int {
        guard position + 4 <= bytes.count else { throw .invalid("CatBoost .cbm: the model parts are truncated") }
        let small = readLittleEndianUInt32(bytes, position)
        position += 4
        guard small == 0xFFFF_FFFF else { return Int(small) }
        guard position + 8 <= bytes.count else { throw .invalid("CatBoost .cbm: the model parts are truncated") }
        let large = UInt64(readLittleEndianUInt32(bytes, position)) | UInt64(readLittleEndianUInt32(bytes, position + 4)) << 32
        position += 8
        guard large <= UInt64(bytes.count) else { throw .invalid("CatBoost .cbm: a model part claims \(large) bytes") }
        return Int(large)
    }

    func ctrTables(positions: CatBoostJSON.IndexPositions) throws(ModelError) -> [CTRTable] {
        var tables: [CTRTable] = []
        for range in tableRanges {
            let reader = FlatBufferReader(bytes: bytes, start: range.lowerBound, end: range.upperBound)
            tables.append(try CatBoostBinary.ctrTable(reader: reader, positions: positions))
        }
        return tables
    }
}
