/// What the ranks of a data-parallel training job exchange: every rank holds its own rows, and
/// whatever a split, a leaf value or a metric depends on is summed (or gathered) over all of
/// them, so every rank takes the same decisions and grows the same trees. The shape of
/// LightGBM's `Network` (src/network/network.cpp: `Allreduce`, `Allgather`), over one process
/// or over MPI.
///
/// Every rank must make the same calls in the same order (MPI's rule for collectives); a rank
/// that skipped one would leave the others waiting. Errors that can strike one rank alone are
/// therefore exchanged too (`agree`) rather than thrown past a collective.
protocol Communicator: Sendable {
    /// This process's rank, 0 ..< rankCount; rank 0 writes the job's files.
    var rank: Int { get }
    var rankCount: Int { get }

    /// Replaces `values` on every rank by their element-wise sum over the ranks.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>)

    /// Sums block `rank` of `values` (blocks of `blockCounts` doubles, one per rank, in rank
    /// order) over the ranks into this rank's `values`; the other blocks are left as they were.
    /// Half an all-reduce: each rank receives only its own block's sums.
    func reduceScatterSum(_ values: UnsafeMutableBufferPointer<Double>, blockCounts: [Int])

    /// Bytes this rank has all-reduced so far (each rank sends and receives as many with MPI's
    /// ring and tree algorithms, within a factor of two), for the scaling figures.
    var allReducedByteCount: Int { get }
    /// Seconds this rank has spent in collectives, waiting for slower ranks included.
    var collectiveSeconds: Double { get }

    /// Every rank's `bytes`, in rank order (lengths may differ, and may be zero).
    func allGather(_ bytes: [UInt8]) -> [[UInt8]]

    /// Ends the whole job now, every rank with it: for a failure on one rank that the others,
    /// waiting in a collective, cannot be told of (MPI's `MPI_Abort`).
    func abort(status: Int32) -> Never

    /// Ends communication after a job whose ranks all finished (MPI's `MPI_Finalize`).
    func finish()
}
