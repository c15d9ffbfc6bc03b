import Synchronization

/// The bytes a communicator has all-reduced and the time its calls took (waiting for the
/// slowest rank included), shared by its copies (a communicator is a value).
final class CollectiveTraffic: Sendable {
    private let allReduced = Atomic<Int>(0)
    private let nanoseconds = Atomic<Int>(0)

    var allReducedByteCount: Int { allReduced.load(ordering: .relaxed) }
    var collectiveSeconds: Double { Double(nanoseconds.load(ordering: .relaxed)) * 1e-9 }

    func addAllReduced(byteCount: Int) {
        allReduced.add(byteCount, ordering: .relaxed)
    }

    func addCollective(seconds: Double) {
        nanoseconds.add(Int(seconds * 1e9), ordering: .relaxed)
    }
}
