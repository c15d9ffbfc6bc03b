/// The rows this rank holds of a data set spread over the ranks: rows `firstRow ..<
/// firstRow + rowCount` of `totalRowCount`, numbered as one process reading every rank's
/// rows in rank order would number them. Sampling and error messages use these global rows.
struct RowShard: Sendable, Equatable {
    let firstRow: Int
    let rowCount: Int
    let totalRowCount: Int

    /// Every row, in one process.
    init(wholeOf rowCount: Int) {
        firstRow = 0
        self.rowCount = rowCount
        totalRowCount = rowCount
    }

    /// This rank's `rowCount` rows after those of the lower ranks.
    init(rowCount: Int, communicator: any Communicator) {
        let counts = communicator.allGatherCounts(rowCount)
        precondition(counts.count == communicator.rankCount, "one count per rank")
        firstRow = counts[..<communicator.rank].reduce(0, +)
        self.rowCount = rowCount
        totalRowCount = counts.reduce(0, +)
    }

    /// The rows a rank keeps when every rank has read all `totalRowCount` rows (SageMaker's
    /// FullyReplicated): a contiguous share of whole `granule`s, so a bootstrap block never
    /// straddles two ranks and every block draws on one rank exactly what it draws in one
    /// process. A rank gets no rows when there are fewer granules than ranks.
    static func replicatedShare(totalRowCount: Int, granule: Int, rank: Int, rankCount: Int) -> Range<Int> {
        precondition(rank >= 0 && rank < rankCount, "rank \(rank) of \(rankCount)")
        let granules = (totalRowCount + granule - 1) / granule
        let start = min(totalRowCount, granules * rank / rankCount * granule)
        let end = min(totalRowCount, granules * (rank + 1) / rankCount * granule)
        return start..<end
    }
}
