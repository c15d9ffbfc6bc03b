#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Model

/// Finds the model SageMaker unpacked into /opt/ml/model, by content, not by name: a Symmetree
/// file, a CatBoost binary model whatever it is called (the built-in CatBoost algorithm's
/// `model`, the BYO sample's `*.dump`, `*.cbm`) or CatBoost JSON, at the top or in a subfolder.
///
/// `symmetree train` writes one model twice, `model.symmetree` and its CatBoost JSON
/// `model.json`: that pair is one model (the Symmetree file is read). Any other second
/// candidate is an error naming both, rather than a guess at which one was meant.
public enum ModelLocator {
    /// Subfolders searched below the model folder (an archive often unpacks into one).
    static let depthMax = 3
    /// How much of a `{`-file is searched for CatBoost JSON's top-level keys: they come first,
    /// after the model_info block, so other JSON files (hyperparameters, metadata) are not taken.
    static let jsonProbeBytes = 256 * 1024

    /// A model file named directly, or the one model `find(in:)` finds in a folder (a
    /// multi-model endpoint's load request names either).
    public static func find(at path: String) throws(ServeError) -> String {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
            guard probe(path) != nil else {
                throw ServeError("\(path) is not a model: expected a Symmetree model, a CatBoost binary model or CatBoost JSON")
            }
            return path
        }
        return try find(in: path)
    }

    public static func find(in directory: String) throws(ServeError) -> String {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            if errno == ENOENT { throw ServeError("model directory \(directory) does not exist") }
            throw ServeError("model directory \(directory) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw ServeError("model directory \(directory) is not a directory (name the folder that holds the model)")
        }
        let listing = FileTreeListing(directory: directory, depthMax: depthMax)
        let models = listing.files.filter { probe($0) != nil }
        let candidates = models.filter { path in
            !(path.hasSuffix("/model.json") && models.contains(String(path.dropLast(5)) + ".symmetree"))
        }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            throw ServeError("more than one model in \(directory): \(candidates.joined(separator: ", ")); keep one")
        }
        throw ServeError(
            "no model in \(directory): expected a Symmetree model, a CatBoost binary model (any name: model, *.cbm, *.dump) "
                + "or CatBoost JSON, as a regular file (found: "
                + (listing.files.isEmpty ? "no regular files" : listing.files.joined(separator: ", "))
                + (listing.nonRegular.isEmpty ? "" : "; not regular files: \(listing.nonRegular.joined(separator: ", "))") + ")")
    }

    /// The model format of a regular file's content, if it is a model.
    static func probe(_ path: String) -> ModelFormat? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: jsonProbeBytes)
        guard case .success(let count) = bytes.withUnsafeMutableBytes({ Descriptor.readFully(fd, into: $0) }) else { return nil }
        let head = Array(bytes[..<count])
        guard let format = ModelFormat.detect(head) else { return nil }
        guard format == .catBoostJSON else { return format }
        let text = String(decoding: head, as: UTF8.self)
        return text.contains("\"oblivious_trees\"") || text.contains("\"features_info\"") ? format : nil
    }
}
