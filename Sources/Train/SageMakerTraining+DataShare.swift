import Logging
import Model

/// Which rows of a channel each rank of a multi-host job trains on. SageMaker copies a
/// channel to every host whole (`S3DistributionType` FullyReplicated, the default) or gives
/// each host its own files (ShardedByS3Key) (developer guide, "S3DataSource").
extension SageMakerTraining {
    /// This rank's share of `files` (the channel's files on this host), or nil when the channel
    /// has no files on any rank:
    /// - one process: every row;
    /// - ShardedByS3Key: the ranks on a host split its files into contiguous runs (a rank may
    ///   get none), so the ranks' rows in rank order are the hosts' files in order;
    /// - FullyReplicated: every rank reads every row and keeps a contiguous share of whole
    ///   bootstrap blocks (`RowShard.replicatedShare`).
    /// A failure to read on any rank fails every rank with that rank's reason.
    func loadShare(
        channel: String, files: [String], parameters: TrainingParameters, communicator: any Communicator,
        placement: MPIRankPlacement
    ) throws(TrainingError) -> DataTable? {
        let load = { (files: [String]) throws(TrainingError) -> DataTable in
            try CSVDataLoader.load(
                files: files, labelColumn: parameters.labelColumn, hasHeader: parameters.csvHeader, channel: channel,
                categorical: parameters.categorical.declaration)
        }
        guard communicator.isDistributed else { return files.isEmpty ? nil : try load(files) }
        let sharded = try distributionType(channel: channel) == "ShardedByS3Key"
        let table = try communicator.agreeing { () throws(TrainingError) -> DataTable? in
            if sharded {
                let (local, localCount) = (placement.localRank, placement.localRankCount)
                let mine = Array(files[(files.count * local / localCount)..<(files.count * (local + 1) / localCount)])
                return mine.isEmpty ? nil : try load(mine)
            }
            guard !files.isEmpty else { return nil }
            let all = try load(files)
            return all.rows(
                RowShard.replicatedShare(
                    totalRowCount: all.rowCount, granule: Bootstrap.blockSize, rank: communicator.rank,
                    rankCount: communicator.rankCount))
        }
        guard let schema = try agreedSchema(of: table, channel: channel, communicator: communicator) else { return nil }
        logger.info("Rank \(communicator.rank) of \(communicator.rankCount): \(table?.rowCount ?? 0) \(channel) rows (\(sharded ? "ShardedByS3Key" : "FullyReplicated"))")
        return table ?? DataTable.empty(featureCount: schema.featureCount, categoricalFeatures: schema.categoricalFeatures)
    }

    /// The feature count and categorical features every rank's rows share, or nil when no rank
    /// has rows of this channel. Ranks without rows adopt them; ranks whose files disagree fail.
    func agreedSchema(
        of table: DataTable?, channel: String, communicator: any Communicator
    ) throws(TrainingError) -> (featureCount: Int, categoricalFeatures: [Int])? {
        let mine = table.map { [Int64($0.featureCount)] + $0.categoricalFeatures.map(Int64.init) } ?? []
        let schemas = communicator.allGatherParts(mine).enumerated().filter { !$0.element.isEmpty }
        guard let firstSchema = schemas.first else { return nil }
        let (firstRank, first) = firstSchema
        if let mismatched = schemas.first(where: { $0.element != first }) {
            let (rank, other) = (mismatched.offset, mismatched.element)
            var mismatch = TrainingError(
                "the \(channel) files of rank \(rank) have \(other[0]) features (categorical \(Array(other.dropFirst()))), "
                    + "those of rank \(firstRank) \(first[0]) (categorical \(Array(first.dropFirst()))); every host's files need the same columns")
            mismatch.isAgreedByEveryRank = true
            throw mismatch
        }
        return (Int(first[0]), first.dropFirst().map { Int($0) })
    }

    /// The channel's `S3DistributionType` in inputdataconfig.json (FullyReplicated when unsaid).
    func distributionType(channel: String) throws(TrainingError) -> String {
        let config = try readJSON("inputdataconfig.json", required: false)
        guard let type = config?[channel]?["S3DistributionType"]?.stringValue else { return "FullyReplicated" }
        guard type == "FullyReplicated" || type == "ShardedByS3Key" else {
            throw TrainingError("channel \(channel): S3DistributionType \(type) is not FullyReplicated or ShardedByS3Key")
        }
        return type
    }
}
