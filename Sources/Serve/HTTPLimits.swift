#if canImport(Glibc)
import Glibc
#endif

public struct HTTPLimits: Sendable {
    /// Request line plus headers.
    public var headerBytesMax = 16 * 1024
    public var bodyBytesMax = 6 * 1024 * 1024
    /// The bytes of a chunked body that are not data: size lines with their extensions, the
    /// CRLFs after data and the trailer section. Counted on their own so that one-byte chunks
    /// with long extensions cannot make a client's few body bytes cost the server gigabytes.
    /// A client sending 6 MB in 64-byte chunks spends about 0.6 MB on framing.
    public var chunkFramingBytesMax = 1024 * 1024
    /// Trailer fields after the last chunk (RFC 9112 §7.1.2); their bytes count against
    /// `headerBytesMax` as well.
    public var trailerFieldCountMax = 64

    public init(headerBytesMax: Int = 16 * 1024, bodyBytesMax: Int = 6 * 1024 * 1024) {
        self.headerBytesMax = headerBytesMax
        self.bodyBytesMax = bodyBytesMax
    }
}
