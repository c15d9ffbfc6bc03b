/// Symmetree's own model format: versioned, little-endian, checksummed, read with one `read`.
///
/// ```
/// header (32 bytes)
///   0  magic "SYMTREE\0"
///   8  u32 format version (1)
///  12  u32 header byte count (32)
///  16  u64 payload byte count
///  24  u32 CRC-32 of the payload
///  28  u32 CRC-32 of header bytes 0..<28
/// payload (every array section starts 8-byte aligned, offsets from the file start)
///   f64 scale, f64 bias, u32 featureCount, u32 treeCount,
///   u32 lossFunction byte count, u32 parameters byte count, the two UTF-8 strings, pad
///   per feature: u32 column, u8 nan treatment, u8 has NaNs, u16 0, u32 border count,
///                u32 name byte count, f32 borders…, name, pad
///   per tree:    u32 depth, u32 has weights, (u32 feature, u32 border) × depth,
///                f64 leaf values × 2^depth, [f64 leaf weights × 2^depth]
///   version 2 only: the categorical section (`ModelFile+Categorical.swift`)
/// ```
/// Numeric models are written as version 1, categorical ones as version 2. Readers reject an
/// unknown version rather than guessing; a new layout bumps the version.
public enum ModelFile {
    public static let magic: [UInt8] = Array("SYMTREE".utf8) + [0]
    public static let formatVersion: UInt32 = 1
    public static let categoricalFormatVersion: UInt32 = 2
    static let headerByteCount = 32
    /// Sanity bounds so a corrupt count cannot ask for terabytes before the checksum is seen.
    /// The writer applies the same bounds (`checkLimits`), so every file written reads back.
    static let featureCountMax = 1 << 20
    static let treeCountMax = 1 << 24
    static let borderCountMax = 1 << 16
    static let textByteCountMax = 1 << 24

    public static func encode(_ ensemble: Ensemble) throws(ModelError) -> [UInt8] {
        try ensemble.validate()
        try checkLimits(ensemble)
        var payload = ByteWriter()
        // Payload offsets are file offsets: start after the header so alignment holds in the file.
        payload.bytes.reserveCapacity(headerByteCount + 64 + ensemble.trees.count * 600)
        payload.raw(repeatElement(0, count: headerByteCount))
        payload.f64(ensemble.scale)
        payload.f64(ensemble.bias)
        payload.u32(UInt32(ensemble.features.count))
        payload.u32(UInt32(ensemble.trees.count))
        let loss = Array(ensemble.lossFunction.utf8)
        let parameters = Array(ensemble.parametersJSON.utf8)
        payload.u32(UInt32(loss.count))
        payload.u32(UInt32(parameters.count))
        payload.raw(loss)
        payload.raw(parameters)
        payload.align8()
        for feature in ensemble.features {
            let name = Array(feature.name.utf8)
            payload.u32(UInt32(feature.columnIndex))
            payload.u8(feature.nanValueTreatment.rawValue)
            payload.u8(feature.hasNans ? 1 : 0)
            payload.u16(0)
            payload.u32(UInt32(feature.borders.count))
            payload.u32(UInt32(name.count))
            for border in feature.borders { payload.f32(border) }
            payload.raw(name)
            payload.align8()
        }
        for tree in ensemble.trees {
            payload.u32(UInt32(tree.depth))
            payload.u32(tree.leafWeights.isEmpty ? 0 : 1)
            for split in tree.splits {
                payload.u32(UInt32(split.featureIndex))
                payload.u32(UInt32(split.borderIndex))
            }
            for value in tree.leafValues { payload.f64(value) }
            for weight in tree.leafWeights { payload.f64(weight) }
        }
        if ensemble.hasCategoricalFeatures { encodeCategorical(ensemble, into: &payload) }
        var bytes = payload.bytes
        var header = ByteWriter()
        header.raw(magic)
        header.u32(ensemble.hasCategoricalFeatures ? categoricalFormatVersion : formatVersion)
        header.u32(UInt32(headerByteCount))
        header.u64(UInt64(bytes.count - headerByteCount))
        header.u32(CRC32.checksum(bytes[headerByteCount...]))
        header.u32(CRC32.checksum(header.bytes[0..<28]))
        bytes.replaceSubrange(0..<headerByteCount, with: header.bytes)
        return bytes
    }

    /// Refuses an ensemble that `decode` would refuse for exceeding one of its bounds.
    static func checkLimits(_ ensemble: Ensemble) throws(ModelError) {
        func refuse(_ what: String, _ count: Int, _ max: Int) -> ModelError {
            ModelError(
                "cannot write a Symmetree model: \(what) is \(count), above the format's limit of \(max); "
                    + "export CatBoost JSON instead")
        }
        guard ensemble.features.count <= featureCountMax else { throw refuse("the feature count", ensemble.features.count, featureCountMax) }
        guard ensemble.trees.count <= treeCountMax else { throw refuse("the tree count", ensemble.trees.count, treeCountMax) }
        let lossByteCount = ensemble.lossFunction.utf8.count
        guard lossByteCount <= textByteCountMax else { throw refuse("the loss function's length", lossByteCount, textByteCountMax) }
        let parametersByteCount = ensemble.parametersJSON.utf8.count
        guard parametersByteCount <= textByteCountMax else {
            throw refuse("the parameters' length", parametersByteCount, textByteCountMax)
        }
        for (index, feature) in ensemble.features.enumerated() {
            guard feature.borders.count <= borderCountMax else {
                throw refuse("feature \(index)'s border count", feature.borders.count, borderCountMax)
            }
            let nameByteCount = feature.name.utf8.count
            guard nameByteCount <= textByteCountMax else { throw refuse("feature \(index)'s name length", nameByteCount, textByteCountMax) }
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Ensemble {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ModelError("not a Symmetree model: bad magic")
        }
        var header = ByteReader(bytes: bytes, start: magic.count, end: bytes.count)
        let version = try header.u32("format version")
        guard version == formatVersion || version == categoricalFormatVersion else {
            throw .unsupported(
                "Symmetree model format version \(version); this build reads versions \(formatVersion) and \(categoricalFormatVersion)")
        }
        let declaredHeaderByteCount = Int(try header.u32("header size"))
        let payloadByteCount = try header.u64("payload size")
        let payloadChecksum = try header.u32("payload checksum")
        let headerChecksum = try header.u32("header checksum")
        guard headerChecksum == CRC32.checksum(bytes[0..<28]) else {
            throw .invalid("Symmetree model header checksum mismatch (corrupt file)")
        }
        guard declaredHeaderByteCount == headerByteCount else {
            throw .invalid("Symmetree model header size \(declaredHeaderByteCount), expected \(headerByteCount)")
        }
        guard payloadByteCount == UInt64(bytes.count - headerByteCount) else {
            throw .invalid("Symmetree model is \(bytes.count) bytes but its header promises \(UInt64(headerByteCount) + payloadByteCount) (truncated or padded file)")
        }
        guard payloadChecksum == CRC32.checksum(bytes[headerByteCount...]) else {
            throw .invalid("Symmetree model payload checksum mismatch (corrupt file)")
        }

        var reader = ByteReader(bytes: bytes, start: headerByteCount, end: bytes.count)
        let scale = try reader.f64("scale")
        let bias = try reader.f64("bias")
        let featureCount = try reader.count("feature count", max: featureCountMax)
        let treeCount = try reader.count("tree count", max: treeCountMax)
        let lossByteCount = try reader.count("loss function length", max: textByteCountMax)
        let parametersByteCount = try reader.count("parameters length", max: textByteCountMax)
        let lossFunction = try reader.string(byteCount: lossByteCount, "loss function")
        let parametersJSON = try reader.string(byteCount: parametersByteCount, "parameters")
        try reader.align8("padding")
        var features: [FloatFeature] = []
        features.reserveCapacity(featureCount)
        for index in 0..<featureCount {
            let columnIndex = Int(try reader.u32("feature \(index) column"))
            let treatmentByte = try reader.u8("feature \(index) NaN treatment")
            guard let treatment = NanValueTreatment(rawValue: treatmentByte) else {
                throw .invalid("feature \(index) NaN treatment \(treatmentByte)")
            }
            let hasNans = try reader.u8("feature \(index) has NaNs") != 0
            _ = try reader.u16("reserved")
            let borderCount = try reader.count("feature \(index) border count", max: borderCountMax)
            let nameByteCount = try reader.count("feature \(index) name length", max: textByteCountMax)
            var borders: [Float] = []
            borders.reserveCapacity(borderCount)
            for _ in 0..<borderCount { borders.append(try reader.f32("feature \(index) borders")) }
            let name = try reader.string(byteCount: nameByteCount, "feature \(index) name")
            try reader.align8("padding")
            features.append(
                FloatFeature(columnIndex: columnIndex, borders: borders, hasNans: hasNans, nanValueTreatment: treatment, name: name))
        }
        var trees: [ObliviousTree] = []
        trees.reserveCapacity(treeCount)
        for index in 0..<treeCount {
            let depth = try reader.count("tree \(index) depth", max: ObliviousTree.depthMax)
            let hasWeights = try reader.u32("tree \(index) weight flag") != 0
            var splits: [TreeSplit] = []
            for _ in 0..<depth {
                let featureIndex = Int(try reader.u32("tree \(index) splits"))
                let borderIndex = Int(try reader.u32("tree \(index) splits"))
                splits.append(TreeSplit(featureIndex: featureIndex, borderIndex: borderIndex))
            }
            var leafValues: [Double] = []
            leafValues.reserveCapacity(1 << depth)
            for _ in 0..<(1 << depth) { leafValues.append(try reader.f64("tree \(index) leaf values")) }
            var leafWeights: [Double] = []
            if hasWeights {
                for _ in 0..<(1 << depth) { leafWeights.append(try reader.f64("tree \(index) leaf weights")) }
            }
            trees.append(ObliviousTree(splits: splits, leafValues: leafValues, leafWeights: leafWeights))
        }
        let categorical = version == categoricalFormatVersion ? try decodeCategorical(&reader) : CatBoostJSON.CategoricalParts()
        guard reader.position == bytes.count else {
            throw .invalid("Symmetree model has \(bytes.count - reader.position) unexpected trailing bytes")
        }
        let ensemble = Ensemble(
            features: features, categoricalFeatures: categorical.features, oneHotFeatures: categorical.oneHotFeatures,
            ctrFeatures: categorical.ctrFeatures, ctrTables: categorical.ctrTables, trees: trees, scale: scale, bias: bias,
            lossFunction: lossFunction, parametersJSON: parametersJSON)
        try ensemble.validate()
        return ensemble
    }
}
