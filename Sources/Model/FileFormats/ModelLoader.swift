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
