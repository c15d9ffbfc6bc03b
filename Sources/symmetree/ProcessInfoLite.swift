import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
