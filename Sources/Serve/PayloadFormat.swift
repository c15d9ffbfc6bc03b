/// The payload formats SageMaker clients send and accept on /invocations.
public enum PayloadFormat: String, Sendable, CaseIterable {
    case csv = "text/csv"
    case json = "application/json"
    case jsonLines = "application/jsonlines"
    /// `label index:value …` lines, as SageMaker XGBoost's clients send them; a request format
    /// only (answered in CSV, as that container does).
    case libsvm = "text/libsvm"
    /// SageMaker's `Record` protobuf in RecordIO frames, one record per row, as the built-in
    /// algorithms and the SDK's RecordSerializer send it; answers are records too.
    case recordIO = "application/x-recordio-protobuf"

    /// Whether answers can be written in this format.
    public var canAnswer: Bool { self != .libsvm }

    /// The answer's format when the client leaves it open: the request's own, CSV for libsvm.
    var answerFormat: PayloadFormat { canAnswer ? self : .csv }

    /// Recognizes a media type (parameters such as `charset` or `label_size` ignored).
    public init?(mediaType: String) {
        // The spellings clients send almost always, without splitting or lower-casing.
        switch mediaType {
        case "text/csv": self = .csv; return
        case "application/json": self = .json; return
        default: break
        }
        let base = mediaType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t").lowercased() } ?? ""
        switch base {
        case "text/csv", "application/csv", "text/x-csv", "application/x-csv": self = .csv
        case "application/json": self = .json
        case "application/jsonlines", "application/jsonl", "application/x-jsonlines", "application/json-lines": self = .jsonLines
        case "text/libsvm", "text/x-libsvm", "application/x-libsvm": self = .libsvm
        case "application/x-recordio-protobuf": self = .recordIO
        default: return nil
        }
    }

    /// The request media types, for the 415 answer.
    public static let requestTypesList = allCases.map(\.rawValue).joined(separator: ", ")

    /// The answer media types, for the 406 answer and the default-Accept setting's error.
    public static let answerTypesList = allCases.filter(\.canAnswer).map(\.rawValue).joined(separator: ", ")

    /// The response format for an `Accept` header: the first supported type in the list; no
    /// Accept, or `*/*`, is answered in `defaultFormat` (SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT)
    /// when set, else in the request's own format; nil when nothing listed is supported (406).
    public static func negotiate(accept: String?, requestFormat: PayloadFormat, defaultFormat: PayloadFormat? = nil) -> PayloadFormat? {
        guard let accept, !accept.trimmingCharacters(in: " \t").isEmpty else { return defaultFormat ?? requestFormat.answerFormat }
        var ranked: [(quality: Double, order: Int, format: PayloadFormat)] = []
        for (order, item) in accept.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";")
            let type = parts.first.map { $0.trimmingCharacters(in: " \t").lowercased() } ?? ""
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                if pair.count == 2, pair[0].lowercased() == "q", let value = Double(pair[1]) { quality = value }
            }
            guard quality > 0 else { continue }
            let format: PayloadFormat?
            switch type {
            case "*/*": format = defaultFormat ?? requestFormat.answerFormat
            case "text/*": format = .csv
            case "application/*": format = requestFormat.answerFormat == .csv ? .json : requestFormat
            default: format = PayloadFormat(mediaType: type).flatMap { $0.canAnswer ? $0 : nil }
            }
            if let format { ranked.append((quality, order, format)) }
        }
        return ranked.min { ($0.quality, -$0.order) > ($1.quality, -$1.order) }?.format
    }
}
