import Model

/// Managed-spot-training checkpoints: the trees so far, the bias, the random generator's state
/// and the metric histories, in a little-endian, CRC-checked file written atomically. A run
/// that finds a checkpoint with its own fingerprint (same data, same hyperparameters) resumes
/// from it and reaches the same model as an uninterrupted run.
public enum Checkpoint {
    static let magic: [UInt8] = Array("SYMCKPT".utf8) + [0]
    static let formatVersion: UInt32 = 1

    public static func encode(_ progress: TrainingProgress, fingerprint: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(magic)
        writer.u32(formatVersion)
        writer.u64(fingerprint)
        writer.f64(progress.bias)
        let state = progress.random.state
        for word in [state.0, state.1, state.2, state.3] { writer.u64(word) }
        for history in [progress.learnHistory, progress.evalHistory] {
            writer.u32(UInt32(history.count))
            for value in history { writer.f64(value) }
        }
        writer.u32(UInt32(progress.trees.count))
        for tree in progress.trees {
            writer.u8(UInt8(tree.depth))
            for split in tree.splits {
                writer.u32(UInt32(split.featureIndex))
                writer.u32(UInt32(split.borderIndex))
            }
            for value in tree.leafValues { writer.f64(value) }
            for weight in tree.leafWeights { writer.f64(weight) }
        }
        writer.u32(CRC32.checksum(writer.bytes[...]))
        return writer.bytes
    }

    /// The progress stored in `bytes`, or an error saying why it cannot be used.
    public static func decode(_ bytes: [UInt8], fingerprint: UInt64) throws(TrainingError) -> TrainingProgress {
        guard bytes.count >= magic.count + 16, bytes.starts(with: magic) else {
            throw TrainingError("not a Symmetree checkpoint")
        }
        let body = bytes.count - 4
        var check = ByteReader(bytes: bytes, start: body, end: bytes.count)
        do {
            guard try check.u32("checksum") == CRC32.checksum(bytes[..<body]) else {
                throw TrainingError("checkpoint checksum mismatch (truncated or corrupt)")
            }
            var reader = ByteReader(bytes: bytes, start: magic.count, end: body)
            guard try reader.u32("version") == formatVersion else { throw TrainingError("checkpoint format version differs") }
            guard try reader.u64("fingerprint") == fingerprint else {
                throw TrainingError("checkpoint was written for other data or hyperparameters")
            }
            let bias = try reader.f64("bias")
            let random = RandomGenerator(
                state: (try reader.u64("random"), try reader.u64("random"), try reader.u64("random"), try reader.u64("random")))
            var histories: [[Double]] = []
            for _ in 0..<2 {
                let count = try reader.count("history", max: 10_000_000)
                var history: [Double] = []
                for _ in 0..<count { history.append(try reader.f64("history")) }
                histories.append(history)
            }
            let treeCount = try reader.count("trees", max: 10_000_000)
            var trees: [ObliviousTree] = []
            for _ in 0..<treeCount {
                let depth = Int(try reader.u8("depth"))
                guard depth <= ObliviousTree.depthMax else { throw TrainingError("checkpoint tree depth \(depth) is invalid") }
                var splits: [TreeSplit] = []
                for _ in 0..<depth {
                    splits.append(
                        TreeSplit(featureIndex: Int(try reader.u32("split")), borderIndex: Int(try reader.u32("split"))))
                }
                var values: [Double] = []
                var weights: [Double] = []
                for _ in 0..<(1 << depth) { values.append(try reader.f64("leaf value")) }
                for _ in 0..<(1 << depth) { weights.append(try reader.f64("leaf weight")) }
                trees.append(ObliviousTree(splits: splits, leafValues: values, leafWeights: weights))
            }
            return TrainingProgress(
                trees: trees, bias: bias, random: random, learnHistory: histories[0], evalHistory: histories[1])
        } catch let error as ModelError {
            throw TrainingError("checkpoint unreadable: \(error.description)")
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError("checkpoint unreadable: \(error)")
        }
    }

    /// The fingerprint of a multi-host job: FNV-1a over every rank's fingerprint, in rank order.
    static func fingerprint(
        hyperparameters: [String: String], learn: DataTable, communicator: any Communicator
    ) -> UInt64 {
        let mine = fingerprint(hyperparameters: hyperparameters, learn: learn)
        guard communicator.isDistributed else { return mine }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in communicator.allGatherValues([mine]) {
            withUnsafeBytes(of: part.littleEndian) { bytes in
                for byte in bytes {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x100_0000_01b3
                }
            }
        }
        return hash
    }

    /// FNV-1a over the hyperparameters and the learn data, so a checkpoint is only resumed by
    /// the job that wrote it.
    public static func fingerprint(hyperparameters: [String: String], learn: DataTable) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        for (key, value) in hyperparameters.sorted(by: { $0.key < $1.key })
        where key != "checkpoint_iterations" && !key.hasPrefix("sagemaker_") {
            mix(key.utf8)
            mix([0])
            mix(value.utf8)
            mix([0])
        }
        withUnsafeBytes(of: UInt64(learn.rowCount).littleEndian) { mix($0) }
        withUnsafeBytes(of: UInt64(learn.featureCount).littleEndian) { mix($0) }
        for target in learn.targets { withUnsafeBytes(of: target.bitPattern.littleEndian) { mix($0) } }
        for column in learn.columns {
            for value in column.prefix(1000) { withUnsafeBytes(of: value.bitPattern.littleEndian) { mix($0) } }
        }
        return hash
    }
}
