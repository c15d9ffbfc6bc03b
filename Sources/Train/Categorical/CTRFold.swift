/// One permutation of the learn set and the model state that goes with it (CatBoost's `TFold`,
/// catboost/private/libs/algo/fold.cpp): ordered CTRs are counted in this order, and the approx
/// is the sum of leaf values as this fold's CTRs route each row.
struct CTRFold {
    let permutation: [UInt32]
    var approx: [Double]
    var gradients: [Double]
    var secondDerivatives: [Double]
    /// The derivatives the last approx update wrote are current.
    var sums: LearnPasses.DerivativeSums?

    init(rowCount: Int, bias: Double, random: inout RandomGenerator) {
        permutation = Self.blockPermutation(rowCount: rowCount, random: &random)
        approx = [Double](repeating: bias, count: rowCount)
        gradients = [Double](repeating: 0, count: rowCount)
        secondDerivatives = [Double](repeating: 0, count: rowCount)
    }

    /// CatBoost's learn permutation: blocks of `min(256, n / 1000 + 1)` consecutive rows
    /// (`DefaultFoldPermutationBlockSize`, catboost/private/libs/options/defaults_helper.h)
    /// shuffled, rows keeping their order inside a block.
    static func blockPermutation(rowCount: Int, random: inout RandomGenerator) -> [UInt32] {
        let blockSize = min(256, rowCount / 1000 + 1)
        let blockCount = (rowCount + blockSize - 1) / blockSize
        var blocks = Array(0..<blockCount)
        if blockCount > 1 {
            for position in stride(from: blockCount - 1, to: 0, by: -1) {
                blocks.swapAt(position, Int(random.next() % UInt64(position + 1)))
            }
        }
        var permutation: [UInt32] = []
        permutation.reserveCapacity(rowCount)
        for block in blocks {
            for row in (block * blockSize)..<min(rowCount, (block + 1) * blockSize) { permutation.append(UInt32(row)) }
        }
        return permutation
    }

    /// The derivatives at the approx (the last update already wrote them, or they are computed).
    mutating func updateDerivatives(passes: LearnPasses, loss: LossFunction) -> LearnPasses.DerivativeSums {
        if let sums { return sums }
        let computed = passes.derivatives(loss: loss, approx: approx, gradients: &gradients, secondDerivatives: &secondDerivatives)
        sums = computed
        return computed
    }

    /// Adds leaf values to the approx (writing the next derivatives); returns the learn loss.
    mutating func add(_ leafValues: [Double], leafOfRow: [UInt16], passes: LearnPasses, loss: LossFunction) -> Double {
        let (learnLoss, next) = passes.addLeafValues(
            leafValues, leafOfRow: leafOfRow, loss: loss, approx: &approx, gradients: &gradients,
            secondDerivatives: &secondDerivatives)
        sums = next
        return learnLoss
    }

    /// Fits a tree's leaves on this fold (its derivatives, its rows' leaves) and adds them to the
    /// approx; returns the learn loss after and the leaf values (learning rate applied) and
    /// weights.
    mutating func fit(
        leafOfRow: [UInt16], leafCount: Int, options: ResolvedParameters, passes: LearnPasses, l2: Double, learningRate: Double
    ) -> (learnLoss: Double, leafValues: [Double], leafWeights: [Double]) {
        _ = updateDerivatives(passes: passes, loss: options.lossFunction)
        let (deltas, weights) = BoostingRun.leafDeltas(
            options: options, passes: passes, l2: l2, leafOfRow: leafOfRow, leafCount: leafCount, approx: approx,
            gradients: gradients, secondDerivatives: secondDerivatives)
        let values = deltas.map { learningRate * $0 }
        let loss = add(values, leafOfRow: leafOfRow, passes: passes, loss: options.lossFunction)
        return (loss, values, weights)
    }
}
