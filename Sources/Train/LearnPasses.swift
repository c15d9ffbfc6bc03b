/// The per-row passes of one boosting iteration over every learn row, each split into
/// `RowBlocks` that run on all threads. Sums are merged in block order; with one block (small
/// data) every sum runs in row order, as CatBoost's do.
struct LearnPasses: Sendable {
    let targets: [Double]
    let weights: [Double]
    let blocks: RowBlocks

    init(targets: [Double], weights: [Double], threadCount: Int) {
        precondition(targets.count == weights.count)
        self.targets = targets
        self.weights = weights
        blocks = RowBlocks(rowCount: targets.count, threadCount: threadCount, granule: Bootstrap.blockSize)
    }

    /// Writes der1·w and der2·w of every row at `approx`; returns Σ |der1·w| and Σ (der1·w)²
    /// (the first tree's MVS regularizer and the split noise's scale).
    func derivatives(
        loss: LossFunction, approx: [Double], gradients: inout [Double], secondDerivatives: inout [Double]
    ) -> (absoluteSum: Double, squareSum: Double) {
        let partial = targets.withUnsafeBufferPointer { targets in
            weights.withUnsafeBufferPointer { weights in
                approx.withUnsafeBufferPointer { approx in
                    gradients.withUnsafeMutableBufferPointer { gradients in
                        secondDerivatives.withUnsafeMutableBufferPointer { secondDerivatives in
                            let (targets, weights, approx) = (SharedRows(targets), SharedRows(weights), SharedRows(approx))
                            let (gradients, secondDerivatives) = (SharedRows(gradients), SharedRows(secondDerivatives))
                            return blocks.run { _, rows in
                                var absoluteSum = 0.0
                                var squareSum = 0.0
                                for row in rows {
                                    let (first, second) = loss.derivatives(target: targets[row], approx: approx[row])
                                    let gradient = weights[row] * first
                                    gradients[row] = gradient
                                    secondDerivatives[row] = weights[row] * second
                                    absoluteSum += abs(gradient)
                                    squareSum += gradient * gradient
                                }
                                return SIMD2(absoluteSum, squareSum)
                            }
                        }
                    }
                }
            }
        }
        let total = Self.sumInOrder(partial)
        return (total[0], total[1])
    }

    /// Draws this tree's sample weights (each bootstrap block from its own stream of `seed`) and
    /// returns the rows split search sees: those with a positive sample weight, in row order,
    /// with der1 scaled to the sample weight; and Σ sample weights.
    ///
    /// Each row block writes its kept rows from its own first row on, storing every row and
    /// advancing the cursor only past kept ones (a coin flip a branch would mispredict); the
    /// cursor never passes the row being read, so blocks never write into each other. The
    /// blocks' runs are then moved together.
    func sample(
        type: BootstrapType, subsample: Double, baggingTemperature: Double, mvsRegularizer: Double, seed: UInt64,
        gradients: [Double]
    ) -> (rows: SampledRows, weightSum: Double) {
        let rowCount = weights.count
        var rowIndex = [UInt32](repeating: 0, count: rowCount)
        var gradientWeight = [SIMD2<Double>](repeating: .zero, count: rowCount)
        let partial = weights.withUnsafeBufferPointer { weights in
            gradients.withUnsafeBufferPointer { gradients in
                rowIndex.withUnsafeMutableBufferPointer { rowIndex in
                    gradientWeight.withUnsafeMutableBufferPointer { gradientWeight in
                        let (weights, gradients) = (SharedRows(weights), SharedRows(gradients))
                        let (rowIndex, gradientWeight) = (SharedRows(rowIndex), SharedRows(gradientWeight))
                        return blocks.run { _, rows in
                            var sampleWeights = [Double](repeating: 0, count: Bootstrap.blockSize)
                            var sum = 0.0
                            var kept = rows.lowerBound
                            var start = rows.lowerBound
                            while start < rows.upperBound {
                                let end = min(start + Bootstrap.blockSize, rows.upperBound)
                                var random = Bootstrap.blockRandom(seed: seed, block: start / Bootstrap.blockSize)
                                sampleWeights.withUnsafeMutableBufferPointer { sampleWeights in
                                    let blockWeights = UnsafeMutableBufferPointer(rebasing: sampleWeights[0..<(end - start)])
                                    Bootstrap.sampleBlock(
                                        type: type, subsample: subsample, baggingTemperature: baggingTemperature,
                                        mvsRegularizer: mvsRegularizer,
                                        gradients: UnsafeBufferPointer(start: gradients.base + start, count: end - start),
                                        weights: UnsafeBufferPointer(start: weights.base + start, count: end - start),
                                        into: blockWeights, random: &random)
                                    for row in start..<end {
                                        let sampleWeight = blockWeights[row - start]
                                        rowIndex[kept] = UInt32(truncatingIfNeeded: row)
                                        // Unchanged weights keep der1·w exact (bootstrap No, MVS's sure rows).
                                        let scaled = sampleWeight == weights[row]
                                            ? gradients[row] : gradients[row] / weights[row] * sampleWeight
                                        gradientWeight[kept] = SIMD2(scaled, sampleWeight)
                                        kept &+= sampleWeight > 0 ? 1 : 0
                                        sum += sampleWeight
                                    }
                                }
                                start = end
                            }
                            return (kept: kept - rows.lowerBound, sum: sum)
                        }
                    }
                }
            }
        }
        var count = 0
        rowIndex.withUnsafeMutableBufferPointer { rowIndex in
            gradientWeight.withUnsafeMutableBufferPointer { gradientWeight in
                for (block, rows) in blocks.ranges.enumerated() {
                    let kept = partial[block].kept
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
        let sum = partial.dropFirst().reduce(partial[0].sum) { $0 + $1.sum }
        return (SampledRows(rowIndex: rowIndex, leaf: [UInt16](repeating: 0, count: count), gradientWeight: gradientWeight), sum)
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
        return (
            (0..<leafCount).map { total[3 * $0] }, (0..<leafCount).map { total[3 * $0 + 1] },
            (0..<leafCount).map { total[3 * $0 + 2] }
        )
    }

    /// Adds each row's leaf value to its approx; returns the learn loss at the new approx.
    func addLeafValues(_ leafValues: [Double], leafOfRow: [UInt16], loss: LossFunction, approx: inout [Double]) -> Double {
        let partial = targets.withUnsafeBufferPointer { targets in
            weights.withUnsafeBufferPointer { weights in
                leafOfRow.withUnsafeBufferPointer { leafOfRow in
                    leafValues.withUnsafeBufferPointer { leafValues in
                        approx.withUnsafeMutableBufferPointer { approx in
                            let (targets, weights, approx) = (SharedRows(targets), SharedRows(weights), SharedRows(approx))
                            let (leafOfRow, leafValues) = (SharedRows(leafOfRow), SharedRows(leafValues))
                            return blocks.run { _, rows in
                                var lossSum = 0.0
                                var weightSum = 0.0
                                for row in rows {
                                    let value = approx[row] + leafValues[Int(leafOfRow[row])]
                                    approx[row] = value
                                    lossSum += weights[row] * loss.pointLoss(target: targets[row], approx: value)
                                    weightSum += weights[row]
                                }
                                return SIMD2(lossSum, weightSum)
                            }
                        }
                    }
                }
            }
        }
        let total = Self.sumInOrder(partial)
        return Metric.meanLoss(loss, sum: total[0], weightSum: total[1])
    }

    private static func sumInOrder(_ partial: [SIMD2<Double>]) -> SIMD2<Double> {
        var total = partial[0]
        for more in partial.dropFirst() { total += more }
        return total
    }
}
