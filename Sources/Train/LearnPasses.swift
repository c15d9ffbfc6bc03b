/// The per-row passes of one boosting iteration over every learn row, each split into
/// `RowBlocks` that run on all threads. Sums are merged in block order; with one block (small
/// data) every sum runs in row order, as CatBoost's do. In a multi-host job the rows are this
/// rank's, and every sum is then summed over the ranks.
struct LearnPasses: Sendable {
    let targets: [Double]
    let weights: [Double]
    let blocks: RowBlocks
    /// The bootstrap's blocks: whole bootstrap blocks each, so a row's draw and its block's MVS
    /// threshold do not depend on them, and both threads share the pass from two bootstrap
    /// blocks on (small data spent ~13% of a tree sampling on one thread). `blocks` when this
    /// rank's rows do not start on a bootstrap block.
    let sampleBlocks: RowBlocks
    let communicator: any Communicator
    /// The global row of local row 0 (bootstrap streams are keyed by global rows).
    let firstRow: Int

    /// - Parameter parallelRowCountMin: below it the block-summed passes run as one block, in
    ///   row order (`RowBlocks.parallelRowCountMin` unless exactness with CatBoost is moot).
    init(
        targets: [Double], weights: [Double], threadCount: Int, communicator: any Communicator = SingleProcess(),
        firstRow: Int = 0, parallelRowCountMin: Int = RowBlocks.parallelRowCountMin
    ) {
        precondition(targets.count == weights.count)
        precondition(firstRow >= 0, "negative first row")
        self.targets = targets
        self.weights = weights
        self.communicator = communicator
        self.firstRow = firstRow
        blocks = RowBlocks(
            rowCount: targets.count, threadCount: threadCount, granule: Bootstrap.blockSize,
            minimumRowCount: parallelRowCountMin)
        sampleBlocks =
            firstRow % Bootstrap.blockSize == 0
            ? RowBlocks(
                rowCount: targets.count, threadCount: threadCount, granule: Bootstrap.blockSize,
                minimumRowCount: 2 * Bootstrap.blockSize)
            : blocks
    }

    /// What `derivatives` sums besides writing them: Σ |der1·w| (the first tree's MVS
    /// regularizer) and Σ (der1·w)² (the split noise's scale).
    struct DerivativeSums {
        var absoluteSum: Double
        var squareSum: Double
    }

    /// Writes der1·w and der2·w of every row at `approx`.
    func derivatives(
        loss: LossFunction, approx: [Double], gradients: inout [Double], secondDerivatives: inout [Double]
    ) -> DerivativeSums {
        approx.withUnsafeBufferPointer { approx in
            update(
                approx: UnsafeMutableBufferPointer(mutating: approx), adding: nil, leafOfRow: [], loss: loss,
                gradients: &gradients, secondDerivatives: &secondDerivatives
            ).derivativeSums
        }
    }

    /// Adds each row's leaf value to its approx, and in the same pass writes the next iteration's
    /// derivatives at the new approx; returns the learn loss there and the derivative sums.
    func addLeafValues(
        _ leafValues: [Double], leafOfRow: [UInt16], loss: LossFunction, approx: inout [Double],
        gradients: inout [Double], secondDerivatives: inout [Double]
    ) -> (learnLoss: Double, derivativeSums: DerivativeSums) {
        approx.withUnsafeMutableBufferPointer { approx in
            update(
                approx: approx, adding: leafValues, leafOfRow: leafOfRow, loss: loss, gradients: &gradients,
                secondDerivatives: &secondDerivatives)
        }
    }

    /// One pass over every row: approx += its leaf value (when `leafValues` is given; `approx`
    /// is only written then), then the loss and the derivatives at the new approx.
    private func update(
        approx: UnsafeMutableBufferPointer<Double>, adding leafValues: [Double]?, leafOfRow: [UInt16], loss: LossFunction,
        gradients: inout [Double], secondDerivatives: inout [Double]
    ) -> (learnLoss: Double, derivativeSums: DerivativeSums) {
        let partial = targets.withUnsafeBufferPointer { targets in
            weights.withUnsafeBufferPointer { weights in
                leafOfRow.withUnsafeBufferPointer { leafOfRow in
                    (leafValues ?? []).withUnsafeBufferPointer { leafValuesBuffer in
                        gradients.withUnsafeMutableBufferPointer { gradients in
                            secondDerivatives.withUnsafeMutableBufferPointer { secondDerivatives in
                                let (targets, weights, approx) = (SharedRows(targets), SharedRows(weights), SharedRows(approx))
                                let (gradients, secondDerivatives) = (SharedRows(gradients), SharedRows(secondDerivatives))
                                let leaves = leafValues == nil ? nil : (SharedRows(leafOfRow), SharedRows(leafValuesBuffer))
                                return blocks.run { _, rows in
                                    var sums = SIMD4<Double>.zero  // Σ w·loss, Σ w, Σ |g|, Σ g²
                                    for row in rows {
                                        var value = approx[row]
                                        if let (leafOfRow, leafValues) = leaves {
                                            value += leafValues[Int(leafOfRow[row])]
                                            approx[row] = value
                                            sums[0] += weights[row] * loss.pointLoss(target: targets[row], approx: value)
                                            sums[1] += weights[row]
                                        }
                                        let (first, second) = loss.derivatives(target: targets[row], approx: value)
                                        let gradient = weights[row] * first
                                        gradients[row] = gradient
                                        secondDerivatives[row] = weights[row] * second
                                        sums[2] += abs(gradient)
                                        sums[3] += gradient * gradient
                                    }
                                    return sums
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = partial[0]
        for more in partial.dropFirst() { total += more }
        if communicator.isDistributed {
            var sums = [total[0], total[1], total[2], total[3]]
            communicator.allReduceSum(&sums)
            total = SIMD4(sums[0], sums[1], sums[2], sums[3])
        }
        return (
            Metric.meanLoss(loss, sum: total[0], weightSum: total[1]),
            DerivativeSums(absoluteSum: total[2], squareSum: total[3])
        )
    }

    /// Draws sample weights (each bootstrap block from its own stream of `seed`) and returns the
    /// rows split search sees: those with a positive sample weight, in row order, with der1
    /// scaled to the sample weight.
    ///
    /// Blocks are global: block b is global rows b·blockSize ..< (b + 1)·blockSize, drawn from
    /// stream b, so a row's draw does not depend on how rows are spread over ranks. A rank
    /// whose rows start inside a block draws that block's piece from the same stream, skipping
    /// the draws of the rows before it (one per row for every bootstrap type); MVS's threshold
    /// is then the piece's own.
    ///
    /// Each row block writes its kept rows from its own first row on, storing every row and
    /// advancing the cursor only past kept ones (a coin flip a branch would mispredict); the
    /// cursor never passes the row being read, so blocks never write into each other. The
    /// blocks' runs are then moved together.
    func sample(
        type: BootstrapType, subsample: Double, baggingTemperature: Double, mvsRegularizer: Double, seed: UInt64,
        gradients: [Double]
    ) -> SampledRows {
        let rowCount = weights.count
        // Slots past the kept rows are cut off below.
        var rowIndex = [UInt32](overwrittenCount: rowCount)
        var gradientWeight = [SIMD2<Double>](overwrittenCount: rowCount)
        let partial = weights.withUnsafeBufferPointer { weights in
            gradients.withUnsafeBufferPointer { gradients in
                rowIndex.withUnsafeMutableBufferPointer { rowIndex in
                    gradientWeight.withUnsafeMutableBufferPointer { gradientWeight in
                        let (weights, gradients) = (SharedRows(weights), SharedRows(gradients))
                        let (rowIndex, gradientWeight) = (SharedRows(rowIndex), SharedRows(gradientWeight))
                        return sampleBlocks.run { _, rows in
                            var multipliers = [Double](repeating: 0, count: Bootstrap.blockSize)
                            var kept = rows.lowerBound
                            var start = rows.lowerBound
                            while start < rows.upperBound {
                                let globalStart = firstRow + start
                                let end = min(start + Bootstrap.blockSize - globalStart % Bootstrap.blockSize, rows.upperBound)
                                var random = RandomGenerator(seed: seed, stream: globalStart / Bootstrap.blockSize)
                                for _ in 0..<(globalStart % Bootstrap.blockSize) { _ = random.next() }
                                multipliers.withUnsafeMutableBufferPointer { multipliers in
                                    let blockMultipliers = UnsafeMutableBufferPointer(rebasing: multipliers[0..<(end - start)])
                                    let blockGradients = UnsafeBufferPointer(start: gradients.base + start, count: end - start)
                                    if type == .mvs {
                                        Bootstrap.sampleMVSBlock(
                                            subsample: subsample, mvsRegularizer: mvsRegularizer, gradients: blockGradients,
                                            into: blockMultipliers, random: &random)
                                    } else {
                                        Bootstrap.sampleBlock(
                                            type: type, subsample: subsample, baggingTemperature: baggingTemperature,
                                            mvsRegularizer: mvsRegularizer, gradients: blockGradients, into: blockMultipliers,
                                            random: &random)
                                    }
                                    for row in start..<end {
                                        let multiplier = blockMultipliers[row - start]
                                        let sampleWeight = weights[row] * multiplier
                                        rowIndex[kept] = UInt32(truncatingIfNeeded: row)
                                        gradientWeight[kept] = SIMD2(gradients[row] * multiplier, sampleWeight)
                                        kept &+= sampleWeight > 0 ? 1 : 0
                                    }
                                }
                                start = end
                            }
                            return kept - rows.lowerBound
                        }
                    }
                }
            }
        }
        var count = 0
        rowIndex.withUnsafeMutableBufferPointer { rowIndex in
            gradientWeight.withUnsafeMutableBufferPointer { gradientWeight in
                for (block, rows) in sampleBlocks.ranges.enumerated() {
                    let kept = partial[block]
                    if count != rows.lowerBound {
                        (rowIndex.baseAddress! + count).update(from: rowIndex.baseAddress! + rows.lowerBound, count: kept)
                        (gradientWeight.baseAddress! + count).update(from: gradientWeight.baseAddress! + rows.lowerBound, count: kept)
                    }
                    count += kept
                }
            }
        }
        rowIndex.removeLast(rowCount - count)
        gradientWeight.removeLast(rowCount - count)
        return SampledRows(rowIndex: rowIndex, gradientWeight: gradientWeight)
    }

    /// Per leaf: Σ der1, Σ der2 (−Σ w for the Gradient method) and Σ w. Step 0 uses the
    /// iteration's derivatives; later Newton steps recompute them at approx + the deltas so far.
    func leafSums(
        leafOfRow: [UInt16], leafCount: Int, method: LeafEstimationMethod, loss: LossFunction, approx: [Double],
        deltas: [Double]?, gradients: [Double], secondDerivatives: [Double]
    ) -> (first: [Double], second: [Double], weight: [Double]) {
        let partial = targets.withUnsafeBufferPointer { targets in
            weights.withUnsafeBufferPointer { weights in
                approx.withUnsafeBufferPointer { approx in
                    gradients.withUnsafeBufferPointer { gradients in
                        secondDerivatives.withUnsafeBufferPointer { secondDerivatives in
                            leafOfRow.withUnsafeBufferPointer { leafOfRow in
                                let (targets, weights, approx) = (SharedRows(targets), SharedRows(weights), SharedRows(approx))
                                let (gradients, secondDerivatives) = (SharedRows(gradients), SharedRows(secondDerivatives))
                                let leafOfRow = SharedRows(leafOfRow)
                                return blocks.run { _, rows in
                                    var sums = [Double](repeating: 0, count: 3 * leafCount)
                                    for row in rows {
                                        let leaf = Int(leafOfRow[row])
                                        let first: Double
                                        let second: Double
                                        if let deltas {
                                            let (d1, d2) = loss.derivatives(target: targets[row], approx: approx[row] + deltas[leaf])
                                            first = weights[row] * d1
                                            second = method == .newton ? weights[row] * d2 : -weights[row]
                                        } else {
                                            first = gradients[row]
                                            second = method == .newton ? secondDerivatives[row] : -weights[row]
                                        }
                                        sums[3 * leaf] += first
                                        sums[3 * leaf + 1] += second
                                        sums[3 * leaf + 2] += weights[row]
                                    }
                                    return sums
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = partial[0]
        for more in partial.dropFirst() {
            for index in total.indices { total[index] += more[index] }
        }
        communicator.allReduceSum(&total)
        return (
            (0..<leafCount).map { total[3 * $0] }, (0..<leafCount).map { total[3 * $0 + 1] },
            (0..<leafCount).map { total[3 * $0 + 2] }
        )
    }
}
