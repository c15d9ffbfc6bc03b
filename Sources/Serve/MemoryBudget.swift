#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Model

/// How many bytes of models a multi-model endpoint keeps loaded before it answers 507, which
/// tells SageMaker to unload models it has not used lately
/// (https://docs.aws.amazon.com/sagemaker/latest/dg/mms-container-apis.html).
enum MemoryBudget {
    /// The share of the container's memory models may take: the rest is the server's own
    /// (connection buffers, request bodies up to the payload limit, the batcher's matrices).
    static let modelShare = 0.75

    /// `modelShare` of the container's limit (cgroup v2 `memory.max`, else v1
    /// `memory.limit_in_bytes`), or of the machine's memory where there is no limit.
    static func defaultBytes() -> Int {
        Int(Double(containerLimitBytes() ?? physicalMemoryBytes()) * modelShare)
    }

    static func containerLimitBytes(root: String = "/sys/fs/cgroup") -> Int? {
        for path in [root + "/memory.max", root + "/memory/memory.limit_in_bytes"] {
            guard let text = try? FileIO.readAll(path: path) else { continue }
            let value = String(decoding: text, as: UTF8.self).trimmingCharacters(in: " \n")
            // "max" (v2) or a page-rounded Int64.max (v1): no limit.
            guard let bytes = Int(value), bytes < physicalMemoryBytes() else { return nil }
            return bytes
        }
        return nil
    }

    static func physicalMemoryBytes() -> Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
