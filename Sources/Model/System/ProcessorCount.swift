#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's parallelism, for training's `thread_count=-1` and the server's slices: written
/// once here so trainer and server agree on it.
package enum ProcessorCount {
    /// Online cores (at least 1); `thread_count` overrides it for pinned or shared machines.
    package static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
