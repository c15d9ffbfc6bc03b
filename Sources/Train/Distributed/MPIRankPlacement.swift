#if canImport(Glibc)
import Glibc
#endif

/// Where `mpirun` placed this process, as Open MPI tells every process it starts through the
/// environment (`OMPI_COMM_WORLD_SIZE`, `_RANK`, `_LOCAL_RANK`, `_LOCAL_SIZE`; set by its
/// launcher, orte/mca/ess and ompi/runtime in Open MPI 4.1). Read before MPI is opened, so a
/// process can tell it was started by mpirun even when libmpi cannot be loaded.
struct MPIRankPlacement: Sendable, Equatable {
    let rank: Int
    let rankCount: Int
    /// This process's place among the ranks on its own host (SageMaker: its own /opt/ml).
    let localRank: Int
    let localRankCount: Int

    /// The placement mpirun gave, or nil when this process was not started by mpirun.
    static func fromEnvironment() -> MPIRankPlacement? {
        func value(_ name: String) -> Int? { getenv(name).flatMap { Int(String(cString: $0)) } }
        guard let rankCount = value("OMPI_COMM_WORLD_SIZE"), let rank = value("OMPI_COMM_WORLD_RANK") else { return nil }
        return MPIRankPlacement(
            rank: rank, rankCount: rankCount, localRank: value("OMPI_COMM_WORLD_LOCAL_RANK") ?? 0,
            localRankCount: value("OMPI_COMM_WORLD_LOCAL_SIZE") ?? 1)
    }

    /// One process alone on its host.
    static let single = MPIRankPlacement(rank: 0, rankCount: 1, localRank: 0, localRankCount: 1)
}
