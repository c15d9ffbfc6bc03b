#if canImport(Glibc)
import Glibc
#endif
import Model


/// The ranks of an `mpirun` job (Open MPI), over MPI_COMM_WORLD.
struct MPICommunicator: Communicator {
    let library: MPILibrary
    let rank: Int
    let rankCount: Int
    private let traffic = CollectiveTraffic()
    private let receive = ReceiveBuffer()

    /// Opens Open MPI and joins the job `mpirun` started.
    init() throws(TrainingError) {
        library = try MPILibrary.open()
        (rank, rankCount) = try library.start()
    }

    var allReducedByteCount: Int { traffic.allReducedByteCount }
    var collectiveSeconds: Double { traffic.collectiveSeconds }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        let start = MonotonicClock.seconds
        traffic.addAllReduced(byteCount: values.count * MemoryLayout<Double>.stride)
        library.allReduceSum(values)
        traffic.addCollective(seconds: MonotonicClock.seconds - start)
    }

    func reduceScatterSum(_ values: UnsafeMutableBufferPointer<Double>, blockCounts: [Int]) {
        let start = MonotonicClock.seconds
        traffic.addAllReduced(byteCount: values.count * MemoryLayout<Double>.stride)
        library.reduceScatterSum(values, blockCounts: blockCounts, rank: rank, receive: receive)
        traffic.addCollective(seconds: MonotonicClock.seconds - start)
    }

    func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        let start = MonotonicClock.seconds
        defer { traffic.addCollective(seconds: MonotonicClock.seconds - start) }
        return library.allGather(bytes, rankCount: rankCount)
    }

    func abort(status: Int32) -> Never {
        _ = library.abort(library.world, status)
        exit(status)
    }

    func finish() {
        library.check(library.finalize(), "MPI_Finalize")
    }
}
