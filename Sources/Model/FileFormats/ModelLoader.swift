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

/// Converts any supported model file to our one `Ensemble` type at the edge.
public enum ModelLoader {
    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Ensemble {
        switch ModelFormat.detect(bytes) {
        case .symmetree: try ModelFile.decode(bytes)
        case .catBoostBinary: try CatBoostBinary.decode(bytes)
        case .catBoostJSON: try CatBoostJSON.decode(bytes)
        case nil:
            throw ModelError("unrecognized model format: expected a Symmetree model, a CatBoost .cbm (CBM1) or CatBoost JSON")
        }
    }

    public static func load(path: String) throws(ModelError) -> Ensemble {
        let bytes = try FileIO.readAll(path: path)
        do {
            return try decode(bytes)
        } catch {
            throw ModelError("\(path): \(error.description)")
        }
    }

    public static func save(_ ensemble: Ensemble, to path: String, format: ModelFormat = .symmetree) throws(ModelError) {
        let bytes: [UInt8]
        switch format {
        case .symmetree: bytes = try ModelFile.encode(ensemble)
        case .catBoostJSON: bytes = try CatBoostJSON.encode(ensemble)
        case .catBoostBinary: throw .unsupported("writing CatBoost .cbm; export CatBoost JSON instead")
        }
        try FileIO.writeAtomically(bytes, to: path)
    }
}
