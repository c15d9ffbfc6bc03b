#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One process holding every row: nothing to exchange. Training with it is today's one-host
/// training, with no MPI library loaded.
struct SingleProcess: Communicator {
    var rank: Int { 0 }
    var rankCount: Int { 1 }

    var allReducedByteCount: Int { 0 }
    var collectiveSeconds: Double { 0 }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}

    func reduceScatterSum(_ values: UnsafeMutableBufferPointer<Double>, blockCounts: [Int]) {}

    func allGather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }

    func abort(status: Int32) -> Never {
        exit(status)
    }

    func finish() {}
}
