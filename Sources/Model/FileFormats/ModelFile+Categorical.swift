/// The categorical section of a version-2 Symmetree model file, after the trees:
///
/// ```
/// u32 categorical feature count, u32 one-hot count, u32 CTR table count, u32 CTR feature count
/// per categorical feature: u32 column, u32 name byte count, name, pad
/// per one-hot feature:     u32 categorical feature, u32 value count, u32 values…, pad
/// per CTR table:           combination, u8 CTR type, u8×3 0, u32 counts per entry,
///                          i32 counter denominator, u32 entry count, pad, u64 keys…,
///                          i32 counts…, f32 sums… (mean types only), pad
/// per CTR feature:         u32 table, u32 target border, f32 prior numerator, f32 prior
///                          denominator, f32 shift, f32 scale, u32 border count, f32 borders…, pad
/// combination:             u32 categorical count, u32 float split count, u32 one-hot split count,
///                          u32 categorical features…, (u32 float feature, f32 border)…,
///                          (u32 categorical feature, u32 value)…
/// ```
/// Keys and counts are stored as the arrays they are in memory (8 + 4·stride bytes an entry);
/// the probing slots are rebuilt on load.
extension ModelFile {
    static let tableEntryCountMax = 1 << 28
    static let combinationSizeMax = 1 << 10

    static func encodeCategorical(_ ensemble: Ensemble, into payload: inout ByteWriter) {
        payload.u32(UInt32(ensemble.categoricalFeatures.count))
        payload.u32(UInt32(ensemble.oneHotFeatures.count))
        payload.u32(UInt32(ensemble.ctrTables.count))
        payload.u32(UInt32(ensemble.ctrFeatures.count))
        for feature in ensemble.categoricalFeatures {
            let name = Array(feature.name.utf8)
            payload.u32(UInt32(feature.columnIndex))
            payload.u32(UInt32(name.count))
            payload.raw(name)
            payload.align8()
        }
        for oneHot in ensemble.oneHotFeatures {
            payload.u32(UInt32(oneHot.categoricalFeatureIndex))
            payload.u32(UInt32(oneHot.values.count))
            for value in oneHot.values { payload.u32(value) }
            payload.align8()
        }
        for table in ensemble.ctrTables {
            encode(table.combination, into: &payload)
            payload.u8(table.type.rawValue)
            payload.raw([0, 0, 0])
            payload.u32(UInt32(table.stride))
            payload.u32(UInt32(bitPattern: table.counterDenominator))
            payload.u32(UInt32(table.entryCount))
            payload.align8()
            for key in table.keys { payload.u64(key) }
            for count in table.counts { payload.u32(UInt32(bitPattern: count)) }
            for sum in table.sums { payload.f32(sum) }
            payload.align8()
        }
        for ctr in ensemble.ctrFeatures {
            payload.u32(UInt32(ctr.tableIndex))
            payload.u32(UInt32(ctr.targetBorderIndex))
            for value in [ctr.priorNumerator, ctr.priorDenominator, ctr.shift, ctr.scale] { payload.f32(value) }
            payload.u32(UInt32(ctr.borders.count))
            for border in ctr.borders { payload.f32(border) }
            payload.align8()
        }
    }

    private static func encode(_ combination: FeatureCombination, into payload: inout ByteWriter) {
        payload.u32(UInt32(combination.categoricalFeatures.count))
        payload.u32(UInt32(combination.floatSplits.count))
        payload.u32(UInt32(combination.oneHotSplits.count))
        for feature in combination.categoricalFeatures { payload.u32(UInt32(feature)) }
        for split in combination.floatSplits {
            payload.u32(UInt32(split.floatFeatureIndex))
            payload.f32(split.border)
        }
        for split in combination.oneHotSplits {
            payload.u32(UInt32(split.categoricalFeatureIndex))
            payload.u32(split.value)
        }
    }

    static func decodeCategorical(_ reader: inout ByteReader) throws(ModelError) -> CatBoostJSON.CategoricalParts {
        var parts = CatBoostJSON.CategoricalParts()
        let featureCount = try reader.count("categorical feature count", max: featureCountMax)
        let oneHotCount = try reader.count("one-hot feature count", max: featureCountMax)
        let tableCount = try reader.count("CTR table count", max: featureCountMax)
        let ctrCount = try reader.count("CTR feature count", max: featureCountMax)
        for index in 0..<featureCount {
            let column = Int(try reader.u32("categorical feature \(index) column"))
            let nameByteCount = try reader.count("categorical feature \(index) name length", max: textByteCountMax)
            let name = try reader.string(byteCount: nameByteCount, "categorical feature \(index) name")
            try reader.align8("padding")
            parts.features.append(CategoricalFeature(columnIndex: column, name: name))
        }
        for index in 0..<oneHotCount {
            let feature = Int(try reader.u32("one-hot feature \(index)"))
            let valueCount = try reader.count("one-hot feature \(index) value count", max: borderCountMax)
            var values: [UInt32] = []
            for _ in 0..<valueCount { values.append(try reader.u32("one-hot feature \(index) values")) }
            try reader.align8("padding")
            parts.oneHotFeatures.append(OneHotFeature(categoricalFeatureIndex: feature, values: values))
        }
        for index in 0..<tableCount { parts.ctrTables.append(try decodeTable(&reader, context: "CTR table \(index)")) }
        for index in 0..<ctrCount {
            let context = "CTR feature \(index)"
            let tableIndex = try reader.count("\(context) table", max: max(tableCount - 1, 0))
            let targetBorder = Int(try reader.u32("\(context) target border"))
            let (numerator, denominator) = (try reader.f32(context), try reader.f32(context))
            let (shift, scale) = (try reader.f32(context), try reader.f32(context))
            let borderCount = try reader.count("\(context) border count", max: borderCountMax)
            var borders: [Float] = []
            for _ in 0..<borderCount { borders.append(try reader.f32("\(context) borders")) }
            try reader.align8("padding")
            guard tableIndex < parts.ctrTables.count else { throw .invalid("\(context) names table \(tableIndex) of \(tableCount)") }
            let table = parts.ctrTables[tableIndex]
            parts.ctrFeatures.append(
                CTRFeature(
                    combination: table.combination, type: table.type, tableIndex: tableIndex, targetBorderIndex: targetBorder,
                    priorNumerator: numerator, priorDenominator: denominator, shift: shift, scale: scale, borders: borders))
        }
        return parts
    }

    private static func decodeTable(_ reader: inout ByteReader, context: String) throws(ModelError) -> CTRTable {
        let combination = try decodeCombination(&reader, context: context)
        let typeByte = try reader.u8("\(context) type")
        guard let type = CTRType(rawValue: typeByte) else { throw .invalid("\(context) CTR type \(typeByte)") }
        for _ in 0..<3 { _ = try reader.u8("reserved") }
        let stride = try reader.count("\(context) counts per entry", max: 1 << 16)
        let denominator = Int32(bitPattern: try reader.u32("\(context) counter denominator"))
        let entryCount = try reader.count("\(context) entry count", max: tableEntryCountMax)
        try reader.align8("padding")
        // Checked before reserving, so a corrupt count cannot ask for memory the file does not hold.
        guard entryCount * (8 + 4 * stride) <= reader.end - reader.position else {
            throw .invalid("model file truncated while reading \(context): \(entryCount) entries do not fit")
        }
        var keys: [UInt64] = []
        keys.reserveCapacity(entryCount)
        for _ in 0..<entryCount { keys.append(try reader.u64("\(context) keys")) }
        var counts: [Int32] = []
        counts.reserveCapacity(entryCount * stride)
        for _ in 0..<(entryCount * stride) { counts.append(Int32(bitPattern: try reader.u32("\(context) counts"))) }
        var sums: [Float] = []
        if type.storesMeanHistory {
            for _ in 0..<entryCount { sums.append(try reader.f32("\(context) sums")) }
        }
        try reader.align8("padding")
        let table = CTRTable(
            combination: combination, type: type, stride: stride, counterDenominator: denominator, keys: keys, counts: counts,
            sums: sums)
        try table.validate(context: context)
        return table
    }

    private static func decodeCombination(_ reader: inout ByteReader, context: String) throws(ModelError) -> FeatureCombination {
        let categoricalCount = try reader.count("\(context) combination size", max: combinationSizeMax)
        let floatCount = try reader.count("\(context) combination size", max: combinationSizeMax)
        let oneHotCount = try reader.count("\(context) combination size", max: combinationSizeMax)
        var combination = FeatureCombination(categoricalFeatures: [])
        for _ in 0..<categoricalCount { combination.categoricalFeatures.append(Int(try reader.u32("\(context) combination"))) }
        for _ in 0..<floatCount {
            let feature = Int(try reader.u32("\(context) combination"))
            combination.floatSplits.append(.init(floatFeatureIndex: feature, border: try reader.f32("\(context) combination")))
        }
        for _ in 0..<oneHotCount {
            let feature = Int(try reader.u32("\(context) combination"))
            combination.oneHotSplits.append(.init(categoricalFeatureIndex: feature, value: try reader.u32("\(context) combination")))
        }
        return combination
    }
}
