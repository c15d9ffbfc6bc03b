import Synchronization

/// The bytes a communicator has all-reduced, shared by its copies (a communicator is a value).
final class CollectiveTraffic: Sendable {
    private let allReduced = Atomic<Int>(0)

    var allReducedByteCount: Int { allReduced.load(ordering: .relaxed) }

    func addAllReduced(byteCount: Int) {
        allReduced.add(byteCount, ordering: .relaxed)
    }
}
