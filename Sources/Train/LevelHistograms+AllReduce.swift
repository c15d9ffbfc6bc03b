extension LevelHistograms {
    /// Sums the cells of the `included` leaves over the ranks. A level built from rows sends
    /// every leaf; a level built by subtraction sends only the smaller children (their
    /// siblings are the reduced parent minus them, as LightGBM's data-parallel learner does),
    /// which halves the bytes. The included leaves' cells are packed into one message, so
    /// each level is one all-reduce.
    mutating func allReduce(leaves included: [Bool], binCounts: [Int], communicator: any Communicator) {
        guard communicator.isDistributed else { return }
        precondition(included.count == leafCount, "one flag per leaf")
        if included.allSatisfy({ $0 }) {
            communicator.allReduceSum(&cells)
            return
        }
        let leaves = included.indices.filter { included[$0] }
        var packed: [SIMD2<Double>] = []
        packed.reserveCapacity(leaves.count * binCounts.reduce(0, +))
        for (feature, binCount) in binCounts.enumerated() {
            for leaf in leaves {
                let start = offsets[feature] + leaf * binCount
                packed += cells[start..<(start + binCount)]
            }
        }
        communicator.allReduceSum(&packed)
        var position = 0
        for (feature, binCount) in binCounts.enumerated() {
            for leaf in leaves {
                let start = offsets[feature] + leaf * binCount
                cells.replaceSubrange(start..<(start + binCount), with: packed[position..<(position + binCount)])
                position += binCount
            }
        }
        assert(position == packed.count, "every packed cell unpacked")
    }
}
