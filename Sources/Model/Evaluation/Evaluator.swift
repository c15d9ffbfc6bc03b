#if arch(x86_64)
import EvaluatorAVX2
import EvaluatorAVX512
#endif

/// The fast batch evaluator.
///
/// Rows are processed in blocks of `blockRowCountMax`: each used feature is quantized once per
/// block into bytes (column-major), then every tree's leaf indexes come from SIMD byte compares,
/// four trees per pass over the row sums. `ReferenceEvaluator` is the specification it is tested
/// against.
public struct Evaluator: Sendable {
    /// The compiled ensemble behind one reference: a server passes its evaluator around per
    /// request, and a copy of the ensemble itself costs a retain and a release for each of its
    /// arrays (5% of a 1-row request's user time in a profile).
    private final class Storage: Sendable {
        let compiled: CompiledEnsemble
        /// Present for models with categorical features: `compiled` reads its output rows.
        let categorical: CategoricalTransform?
        let schema: ColumnSchema
        /// The tree pass's build: the level asked for where the model fits the wide passes
        /// (trees ≤ 8 deep with padded leaves), else the baseline.
        let treePass: InstructionLevel

        init(_ ensemble: Ensemble, instructionLevel: InstructionLevel) {
            schema = ColumnSchema(columnCount: ensemble.columnCount, categoricalColumns: ensemble.categoricalColumns)
            if ensemble.hasCategoricalFeatures {
                let transform = CategoricalTransform(ensemble)
                categorical = transform
                compiled = CompiledEnsemble(transform.numericEnsemble, instructionLevel: instructionLevel)
            } else {
                categorical = nil
                compiled = CompiledEnsemble(ensemble, instructionLevel: instructionLevel)
            }
            treePass = compiled.paddedLeaves == nil ? .baseline : instructionLevel
        }
    }

    private let storage: Storage
    public let predictionTransform: PredictionTransform

    var compiled: CompiledEnsemble {
        _read { yield storage.compiled }
    }

    /// `instructionLevel`: which build of the batch tree pass runs (at most what the CPU runs:
    /// `InstructionLevel.detected`); tests compare every level with the reference evaluator.
    public init(_ ensemble: Ensemble, instructionLevel: InstructionLevel = .selected) {
        precondition(instructionLevel <= InstructionLevel.detected, "this CPU runs at most \(InstructionLevel.detected)")
        storage = Storage(ensemble, instructionLevel: instructionLevel)
        predictionTransform = ensemble.predictionTransform
    }

    /// How many columns each input row must have.
    public var columnCount: Int { storage.schema.columnCount }

    /// The input columns and which of them hold category text (as `CategoryHash` bit patterns in
    /// the float rows this evaluator reads); parse rows for this evaluator with it.
    public var schema: ColumnSchema { storage.schema }

    /// The categorical input columns, ascending; empty for numeric models.
    public var categoricalColumns: [Int] { storage.schema.categoricalColumns }

    /// The bytes this evaluator keeps in memory (its compiled tables; the `Ensemble` it was
    /// made from is not kept).
    public var residentBytes: Int {
        compiled.residentBytes + (storage.categorical?.residentBytes ?? 0)
    }

    /// The build of the batch tree pass it runs: the level asked for, or the baseline for a
    /// model with trees deeper than 8 levels. (Quantization follows the level asked for: the
    /// AVX-512 search levels serve any model.)
    public var instructionLevel: InstructionLevel { storage.treePass }

    /// How many trees it sums.
    public var treeCount: Int { compiled.treeCount }

    /// Raw formula values of `rowCount` rows stored row-major in `features`
    /// (`features.count == rowCount * columnCount`), written to `output[0..<rowCount]`.
    public func predictRaw(features: [Float], rowCount: Int, into output: inout [Double]) {
        precondition(rowCount >= 0, "negative row count")
        precondition(features.count == rowCount * columnCount, "features hold \(features.count) values, expected \(rowCount) rows × \(columnCount)")
        if output.count < rowCount {
            output.append(contentsOf: repeatElement(0, count: rowCount - output.count))
        }
        features.withUnsafeBufferPointer { rows in
            output.withUnsafeMutableBufferPointer { out in
                predictRaw(rows: rows, rowCount: rowCount, into: out)
            }
        }
    }

    /// Predictions with the loss's transform applied (`exp` for Poisson/Tweedie, sigmoid for Logloss).
    public func predict(features: [Float], rowCount: Int, into output: inout [Double]) {
        predictRaw(features: features, rowCount: rowCount, into: &output)
        output.withUnsafeMutableBufferPointer { applyTransform(to: $0, rowCount: rowCount) }
    }

    /// `predict(features:rowCount:into:)` on caller-owned memory, for callers that split one
    /// matrix across threads.
    package func predict(rows: UnsafeBufferPointer<Float>, rowCount: Int, into output: UnsafeMutableBufferPointer<Double>) {
        predictRaw(rows: rows, rowCount: rowCount, into: output)
        applyTransform(to: output, rowCount: rowCount)
    }

    private func applyTransform(to output: UnsafeMutableBufferPointer<Double>, rowCount: Int) {
        guard predictionTransform != .identity else { return }
        for index in 0..<rowCount { output[index] = predictionTransform.apply(output[index]) }
    }

    public func predict(features: [Float], rowCount: Int) -> [Double] {
        var output = [Double](repeating: 0, count: rowCount)
        predict(features: features, rowCount: rowCount, into: &output)
        return output
    }

    /// One row, no batching: the per-bucket split lists (`sumLeafValuesBySplitLists`), no block set-up.
    public func predictRaw(row: [Float]) -> Double {
        precondition(row.count == columnCount, "row has \(row.count) columns, model reads \(columnCount)")
        return row.withUnsafeBufferPointer { predictRaw(singleRow: $0) }
    }

    public func predict(row: [Float]) -> Double {
        predictionTransform.apply(predictRaw(row: row))
    }

    // MARK: - Unsafe core, reached only through the array entry points above

    /// Below this many rows the per-block setup (transposing, zero-padding 128 lanes) costs more
    /// than it saves, so rows are walked one at a time.
    static let blockRowCountMin = 8

    package func predictRaw(rows: UnsafeBufferPointer<Float>, rowCount: Int, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(rows.count >= rowCount * columnCount && out.count >= rowCount)
        guard let categorical = storage.categorical else {
            return predictRawNumeric(rows: rows, rowCount: rowCount, into: out)
        }
        // Transformed a block at a time, so the numeric rows stay in L1/L2 however many come.
        let outputWidth = categorical.outputColumnCount
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockRowCountMax * outputWidth) { numeric in
            var start = 0
            while start < rowCount {
                let count = min(blockRowCountMax, rowCount - start)
                categorical.apply(rows: rows.baseAddress! + start * columnCount, rowCount: count, into: numeric.baseAddress!)
                predictRawNumeric(
                    rows: UnsafeBufferPointer(rebasing: numeric[..<(count * outputWidth)]), rowCount: count,
                    into: UnsafeMutableBufferPointer(rebasing: out[start..<(start + count)]))
                start += count
            }
        }
    }

    /// `predictRaw(rows:…)` on rows the compiled tables read directly (`compiled.columnCount` wide).
    private func predictRawNumeric(rows: UnsafeBufferPointer<Float>, rowCount: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let columnCount = compiled.columnCount
        if rowCount < Self.blockRowCountMin {
            for row in 0..<rowCount {
                out[row] = predictRaw(
                    singleRow: UnsafeBufferPointer(rebasing: rows[(row * columnCount)..<((row + 1) * columnCount)]),
                    method: singleRowMethod)
            }
            return
        }
        let compiled = self.compiled
        let bucketCount = compiled.buckets.count
        let scratchByteCount = BlockScratch.byteCount(bucketCount: bucketCount)
        withUnsafeTemporaryAllocation(byteCount: scratchByteCount, alignment: 16) { memory in
            let scratch = BlockScratch(memory, bucketCount: bucketCount)
            compiled.withUnsafeHandle { tables in
                var blockStart = 0
                while blockStart < rowCount {
                    let blockRowCount = min(blockRowCountMax, rowCount - blockStart)
                    if bucketCount > 0 {
                        quantize(
                            rows: rows.baseAddress! + blockStart * columnCount, rowCount: blockRowCount,
                            columnCount: columnCount, buckets: tables.buckets, borders: tables.bucketBorders(at: 0),
                            coarse: tables.coarseBorders(at: 0), searchLevels: tables.searchLevels, column: scratch.column,
                            into: scratch.quantized)
                    }
                    scratch.sums.initialize(repeating: 0, count: blockRowCountMax)
                    addTreeLeafValues(tables: tables, scratch: scratch, rowCount: blockRowCount)
                    for row in 0..<blockRowCount {
                        out[blockStart + row] = compiled.scale * scratch.sums[row] + compiled.bias
                    }
                    blockStart += blockRowCount
                }
            }
        }
    }

    /// Every tree's leaves added to the block's sums, by the tree pass's build.
    @inline(__always)
    private func addTreeLeafValues(tables: CompiledEnsemble.UnsafeHandle, scratch: BlockScratch, rowCount: Int) {
        #if arch(x86_64)
        if storage.treePass > .baseline, let padded = tables.paddedLeaves {
            let pass = storage.treePass == .avx512 ? addTreeLeafValuesAVX512 : addTreeLeafValuesAVX2
            pass(
                scratch.quantized, compiled.treeCount, tables.treeDepths.baseAddress!, tables.treeSplitStarts.baseAddress!,
                tables.splitBuckets(at: 0), tables.splitThresholds(at: 0), padded.values.baseAddress!, padded.strideShift,
                rowCount, scratch.sums)
            return
        }
        #endif
        evaluateTrees(tables: tables, scratch: scratch, rowCount: rowCount)
    }

    @inline(__always)
    private func evaluateTrees(tables: CompiledEnsemble.UnsafeHandle, scratch: BlockScratch, rowCount: Int) {
        let compiled = self.compiled
        let (quantized, indices, sums) = (scratch.quantized, scratch.indices, scratch.sums)
        let leafBase = tables.leafValues(at: 0)
        var tree = 0
        var pendingCount = 0
        var pendingLeaves: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>) =
            (leafBase, leafBase, leafBase, leafBase)
        while tree < compiled.treeCount {
            let depth = compiled.treeDepths[tree]
            let splitStart = compiled.treeSplitStarts[tree]
            let leaves = tables.leafValues(at: tables.treeLeafStarts[tree])
            if depth > 8 {
                // The trees still pending come first: every row adds its leaves in tree order.
                addPendingLeafValues(
                    indices: indices, pendingLeaves: pendingLeaves, pendingCount: pendingCount, rowCount: rowCount,
                    sums: sums)
                pendingCount = 0
                addDeepTreeLeafValues(
                    quantizedBlock: quantized, splitBuckets: tables.splitBuckets(at: splitStart),
                    splitThresholds: tables.splitThresholds(at: splitStart), depth: depth, leaves: leaves,
                    rowCount: rowCount, into: sums)
                tree += 1
                continue
            }
            computeLeafIndices(
                quantizedBlock: quantized, splitBuckets: tables.splitBuckets(at: splitStart),
                splitThresholds: tables.splitThresholds(at: splitStart), depth: depth,
                into: indices + pendingCount * blockRowCountMax)
            switch pendingCount {
            case 0: pendingLeaves.0 = leaves
            case 1: pendingLeaves.1 = leaves
            case 2: pendingLeaves.2 = leaves
            default: pendingLeaves.3 = leaves
            }
            pendingCount += 1
            if pendingCount == 4 {
                addLeafValues4(
                    indices: indices, leaves0: pendingLeaves.0, leaves1: pendingLeaves.1,
                    leaves2: pendingLeaves.2, leaves3: pendingLeaves.3, rowCount: rowCount, into: sums)
                pendingCount = 0
            }
            tree += 1
        }
        addPendingLeafValues(
            indices: indices, pendingLeaves: pendingLeaves, pendingCount: pendingCount, rowCount: rowCount, sums: sums)
    }

    /// Adds the leaves of the first `pendingCount` (< 4) trees waiting for the four-tree kernel, in order.
    @inline(__always)
    private func addPendingLeafValues(
        indices: UnsafeMutablePointer<UInt8>,
        pendingLeaves: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        pendingCount: Int, rowCount: Int, sums: UnsafeMutablePointer<Double>
    ) {
        for slot in 0..<pendingCount {
            let leaves = slot == 0 ? pendingLeaves.0 : slot == 1 ? pendingLeaves.1 : pendingLeaves.2
            addLeafValues(indices: indices + slot * blockRowCountMax, leaves: leaves, rowCount: rowCount, into: sums)
        }
    }

    /// How one row is evaluated without a block.
    enum SingleRowMethod: CaseIterable {
        /// `sumLeafValuesBySplitLists`: any model, any architecture.
        case splitLists
        /// `sumLeafValuesByShuffles`: x86-64, trees of depth ≤ 8, at most 128 buckets.
        case shuffles
    }

    /// Byte shuffles where they apply, else the split lists.
    var singleRowMethod: SingleRowMethod { supports(.shuffles) ? .shuffles : .splitLists }

    func supports(_ method: SingleRowMethod) -> Bool {
        switch method {
        case .splitLists: return true
        case .shuffles:
            #if arch(x86_64)
            return compiled.shuffleGroups != nil
            #else
            return false
            #endif
        }
    }

    @inline(__always)
    private func predictRaw(singleRow row: UnsafeBufferPointer<Float>) -> Double {
        guard let categorical = storage.categorical else { return predictRaw(singleRow: row, method: singleRowMethod) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: categorical.outputColumnCount) { numeric in
            categorical.apply(row: row.baseAddress!, into: numeric.baseAddress!)
            return predictRaw(singleRow: UnsafeBufferPointer(numeric), method: singleRowMethod)
        }
    }

    @inline(__always)
    func predictRaw(singleRow row: UnsafeBufferPointer<Float>, method: SingleRowMethod) -> Double {
        precondition(supports(method), "\(method) does not apply to this model")
        let treeCount = self.compiled.treeCount
        let sum = self.compiled.withUnsafeHandle { tables in
            let tableCount = ShuffleGroups.tableCount(bucketCount: tables.buckets.count)
            return withUnsafeTemporaryAllocation(of: SIMD16<Int8>.self, capacity: tableCount) { quantizedTables in
                quantizedTables.initialize(repeating: SIMD16())
                // Shuffles compare signed `count - 128` bytes (as the block evaluator does); the
                // split lists index by the count itself.
                let byteBias: UInt8 = method == .shuffles ? 0x80 : 0
                let quantized = UnsafeMutableRawPointer(quantizedTables.baseAddress!).assumingMemoryBound(to: UInt8.self)
                for (bucketIndex, bucket) in tables.buckets.enumerated() {
                    let value = bucket.nanValueTreatment.substitute(row[bucket.columnIndex])
                    let count = countBordersBelow(
                        value, segments: tables.bucketBorders(at: bucket.borderStart),
                        coarse: tables.coarseBorders(at: bucket.coarseStart), paddedCoarseCount: bucket.paddedCoarseCount)
                    quantized[bucketIndex] = UInt8(truncatingIfNeeded: count) ^ byteBias
                }
                switch method {
                case .shuffles:
                    #if arch(x86_64)
                    let shuffles = tables.shuffles!
                    return sumLeafValuesByShuffles(
                        tables: UnsafePointer(quantizedTables.baseAddress!), tableCount: shuffles.tableCount,
                        tableLanes: CompiledEnsemble.UnsafeHandle.pointer(shuffles.tableLanes, at: 0),
                        thresholds: CompiledEnsemble.UnsafeHandle.pointer(shuffles.thresholds, at: 0), treeCount: treeCount,
                        leafValues: CompiledEnsemble.UnsafeHandle.pointer(shuffles.leafValues, at: 0),
                        leafStrideShift: shuffles.leafStrideShift)
                    #else
                    preconditionFailure("byte shuffles are x86-64 only")
                    #endif
                case .splitLists:
                    return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: max(treeCount, 1)) { leafIndices in
                        sumLeafValuesBySplitLists(
                            quantized: UnsafePointer(quantized), bucketCount: tables.buckets.count,
                            splits: tables.splitsByBucket(at: 0), passedEnds: tables.passedEnds(at: 0),
                            passedEndStarts: tables.passedEndStarts(at: 0), treeCount: treeCount,
                            treeLeafStarts: tables.treeLeafStarts(at: 0), leafValues: tables.leafValues(at: 0),
                            leafIndices: leafIndices.baseAddress!)
                    }
                }
            }
        }
        return self.compiled.scale * sum + self.compiled.bias
    }
}
