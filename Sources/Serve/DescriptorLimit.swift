#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The file-descriptor limit, which bounds the connection table (slots are indexed by fd).
enum DescriptorLimit {
    /// Connections beyond this are refused: the table costs ~100 bytes a slot, and Docker's
    /// default hard limit (1,048,576) would otherwise make it 100 MB.
    static let connectionsMax = 65_536

    static var current: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        // Raise the soft limit toward the hard one: 1000+ concurrent clients need it.
        let wanted = rlim_t(connectionsMax)
        if limit.rlim_cur < min(limit.rlim_max, wanted) {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, wanted)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, wanted))
    }
}
