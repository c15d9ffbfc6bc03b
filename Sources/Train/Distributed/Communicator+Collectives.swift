import Model

/// Typed collectives over the two primitives, each a no-op (or a copy) for one process.
extension Communicator {
    var isDistributed: Bool { rankCount > 1 }

    /// `count` items (features, columns) cut into one contiguous range per rank, in rank order,
    /// their sizes differing by at most one.
    func contiguousShares(of count: Int) -> [Range<Int>] {
        (0..<rankCount).map { rank in (count * rank / rankCount)..<(count * (rank + 1) / rankCount) }
    }

    func allReduceSum(_ values: inout [Double]) {
        guard isDistributed else { return }
        values.withUnsafeMutableBufferPointer { allReduceSum($0) }
    }

    func allReduceSum(_ value: Double) -> Double {
        var values = [value]
        allReduceSum(&values)
        return values[0]
    }

    /// Histogram cells: each (Σ der1·w, Σ w) pair is two doubles.
    func allReduceSum(_ cells: inout [SIMD2<Double>]) {
        guard isDistributed else { return }
        cells.withUnsafeMutableBufferPointer { cells in
            cells.withMemoryRebound(to: Double.self) { allReduceSum(UnsafeMutableBufferPointer(start: $0.baseAddress, count: 2 * cells.count)) }
        }
    }

    /// Every rank's values, in rank order.
    func allGatherParts<Value: BitwiseCopyable>(_ values: [Value]) -> [[Value]] {
        guard isDistributed else { return [values] }
        return allGather(values.withUnsafeBytes { Array($0) }).map { part in
            precondition(part.count % MemoryLayout<Value>.stride == 0, "a gathered message cut mid-value")
            return part.withUnsafeBytes { Array($0.bindMemory(to: Value.self)) }
        }
    }

    /// Every rank's values concatenated in rank order: for rows, the order one process reads them.
    func allGatherValues<Value: BitwiseCopyable>(_ values: [Value]) -> [Value] {
        guard isDistributed else { return values }
        // Appended part by part: `Array(parts.joined())` walks a FlattenSequence element by
        // element through unspecialized generic metadata (1.5% of a 1M-row, 100-tree job).
        let parts = allGatherParts(values)
        var all: [Value] = []
        all.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { all.append(contentsOf: part) }
        return all
    }

    /// Every rank's count, in rank order.
    func allGatherCounts(_ count: Int) -> [Int] {
        allGatherParts([Int64(count)]).map { Int($0[0]) }
    }

    /// Agreement on a step that can fail on one rank alone (reading its files, checking its
    /// rows): every rank learns whether any failed, and all throw the lowest failing rank's
    /// reason, so no rank goes on into a collective the others have left.
    func agree(_ failure: TrainingError?) throws(TrainingError) {
        guard isDistributed, failure?.isAgreedByEveryRank != true else {
            if let failure { throw failure }
            return
        }
        let reasons = allGather(Array((failure?.description ?? "").utf8)).enumerated()
        for (rank, reason) in reasons where !reason.isEmpty {
            var agreed = TrainingError("rank \(rank) of \(rankCount): \(String(decoding: reason, as: UTF8.self))")
            agreed.isAgreedByEveryRank = true
            throw agreed
        }
    }

    /// Runs `body`, then `agree`s on its failure.
    func agreeing<Result>(_ body: () throws(TrainingError) -> Result) throws(TrainingError) -> Result {
        do {
            let result = try body()
            try agree(nil)
            return result
        } catch {
            try agree(error)
            preconditionFailure("agree returned after a failure")
        }
    }
}
