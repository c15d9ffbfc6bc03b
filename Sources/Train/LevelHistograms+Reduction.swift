extension LevelHistograms {
    /// Sums, over the ranks, the cells of the `included` leaves of the features this rank owns
    /// (`featureRanges[rank]`, contiguous, one range per rank in rank order): a reduce-scatter,
    /// as LightGBM's data-parallel learner does it (`ReduceScatter` of histograms by feature
    /// block), so each rank receives only its features' sums and scores only those features.
    /// The other features' cells keep this rank's own partial sums and must not be read.
    ///
    /// A level built from rows sends every leaf; a level built by subtraction sends only the
    /// smaller children (their siblings are the summed parent minus them), which halves the bytes.
    mutating func reduce(
        leaves included: [Bool], binCounts: [Int], featureRanges: [Range<Int>], communicator: any Communicator
    ) {
        guard communicator.isDistributed else { return }
        precondition(included.count == leafCount, "one flag per leaf")
        precondition(featureRanges.count == communicator.rankCount, "one feature range per rank")
        let leaves = included.indices.filter { included[$0] }
        // Doubles per rank: two per cell of its features' included leaves.
        let blockCounts = featureRanges.map { range in 2 * leaves.count * binCounts[range].reduce(0, +) }
        if leaves.count == leafCount {
            // Every leaf: the buffer is already feature-major, rank by rank.
            cells.withUnsafeMutableBufferPointer { cells in
                cells.withMemoryRebound(to: Double.self) { communicator.reduceScatterSum($0, blockCounts: blockCounts) }
            }
            return
        }
        var packed: [SIMD2<Double>] = []
        packed.reserveCapacity(leaves.count * binCounts.reduce(0, +))
        for (feature, binCount) in binCounts.enumerated() {
            for leaf in leaves {
                let start = offsets[feature] + leaf * binCount
                packed += cells[start..<(start + binCount)]
            }
        }
        packed.withUnsafeMutableBufferPointer { packed in
            packed.withMemoryRebound(to: Double.self) { communicator.reduceScatterSum($0, blockCounts: blockCounts) }
        }
        let owned = featureRanges[communicator.rank]
        var position = leaves.count * binCounts[..<owned.lowerBound].reduce(0, +)
        for feature in owned {
            let binCount = binCounts[feature]
            for leaf in leaves {
                let start = offsets[feature] + leaf * binCount
                cells.replaceSubrange(start..<(start + binCount), with: packed[position..<(position + binCount)])
                position += binCount
            }
        }
        assert(position == leaves.count * binCounts[..<owned.upperBound].reduce(0, +), "every owned cell unpacked")
    }
}
