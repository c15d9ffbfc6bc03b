/// Which on-disk format a model file is in.
public enum ModelFormat: String, Sendable, CaseIterable {
    case symmetree
    case catBoostBinary = "cbm"
    case catBoostJSON = "json"

    /// Recognizes a format by its first bytes: our magic, `CBM1`, or a JSON object.
    public static func detect(_ bytes: [UInt8]) -> ModelFormat? {
        if bytes.starts(with: ModelFile.magic) { return .symmetree }
        if bytes.starts(with: CatBoostBinary.magic) { return .catBoostBinary }
        if let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") {
            return .catBoostJSON
        }
        return nil
    }
}
