#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// How to choose the backend: `SYMMETREE_IO_BACKEND=io_uring|epoll|auto` (auto: io_uring when
/// the kernel and seccomp allow creating a ring, else epoll).
public enum BackendPreference: String, Sendable, CaseIterable {
    case auto
    case ioUring = "io_uring"
    case epoll

    public static var fromEnvironment: BackendPreference {
        guard let raw = getenv("SYMMETREE_IO_BACKEND") else { return .auto }
        return BackendPreference(rawValue: String(cString: raw)) ?? .auto
    }
}
