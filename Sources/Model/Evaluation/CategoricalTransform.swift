/// Turns rows that carry category hashes into rows the numeric evaluator reads, so categorical
/// models run on the same compiled kernels as numeric ones.
///
/// An input row has `inputColumnCount` floats; a categorical column holds its value's
/// `CategoryHash` as a bit pattern. The output row appends one column per one-hot value (1 when
/// the row's hash is that value, else 0; split at 0.5) and one per CTR feature (its bin: how many
/// of the CTR's borders its value is above; split at 0.5, 1.5, …). `numericEnsemble` is the
/// model re-expressed over those columns.
///
/// Each CTR table is compiled to open-addressing slots probed from the key's low bits, as
/// CatBoost's `TDenseIndexHashView` does, but a 16-byte slot holds the key *and* the bin of every
/// CTR that reads the table (`TModelCtr::Calc` and the border search done once here, not per
/// row): a row costs one key and, for a table too large for cache, one cache miss, where a key →
/// index → counts layout costs two. (On a 500-tree flights model with 205 tables, the slot loads
/// are the largest part of the transform's time: it is bound by cache misses.)
struct CategoricalTransform: Sendable {
    /// "Does `column` hold `value`?" (a one-hot indicator or a combination's one-hot part).
    struct Equality: Sendable {
        var column: Int32
        var value: UInt32
    }

    /// "Is `column`'s value above `border`?" (NaN per the float feature's treatment).
    struct FloatSplitTest: Sendable {
        var column: Int32
        var nanValueTreatment: NanValueTreatment
        var border: Float
    }

    /// One CTR table and the CTR features that read it: runs of the flat tables below.
    struct Reader: Sendable {
        /// The table's key folds these operands (`elements[elementStart ..< + elementCount]`), in
        /// CatBoost's order: categorical hashes, float split outcomes, one-hot outcomes.
        var elementStart: Int, elementCount: Int
        /// Slot `s` is the words `slotStart + s · slotWords ..< + slotWords` of `slots`: the key,
        /// then the CTR values as float pairs. `slotMask + 1` slots, a power of two.
        var slotStart: Int, slotMask: Int, slotWords: Int
        var ctrStart: Int, ctrCount: Int
    }

    let inputColumnCount: Int
    let outputColumnCount: Int
    /// The model over the output columns: float features only.
    let numericEnsemble: Ensemble

    let indicators: KernelTable<Equality>
    let readers: KernelTable<Reader>
    /// A row's operands, computed once per row and shared by every table's key: each
    /// categorical column's hash (sign-extended, as `CalcHashes` takes it), then each distinct
    /// float split outcome, then each distinct one-hot outcome.
    let categoricalColumns: KernelTable<Int32>
    let floatTests: KernelTable<FloatSplitTest>
    let oneHotTests: KernelTable<Equality>
    let operandCount: Int
    /// Per reader, the operand indexes its key folds.
    let elements: KernelTable<Int32>
    let slots: KernelTable<UInt64>
    /// Per CTR (in reader order): its output column and its value for a key the table lacks.
    let ctrColumns: KernelTable<Int32>
    let unseenValues: KernelTable<Float>

    init(_ ensemble: Ensemble) {
        var builder = Builder(ensemble)
        builder.addReaders()
        inputColumnCount = builder.inputColumnCount
        outputColumnCount = builder.ctrColumnStart + ensemble.ctrFeatures.count
        numericEnsemble = Self.numericEnsemble(
            of: ensemble, indicatorCount: builder.indicators.count, oneHotStarts: builder.oneHotStarts)
        indicators = KernelTable(builder.indicators)
        readers = KernelTable(builder.readers)
        categoricalColumns = KernelTable(builder.categoricalColumns)
        floatTests = KernelTable(builder.floatTests)
        oneHotTests = KernelTable(builder.oneHotTests)
        operandCount = builder.categoricalColumns.count + builder.floatTests.count + builder.oneHotTests.count
        elements = KernelTable(builder.elements)
        slots = KernelTable(builder.slots)
        ctrColumns = KernelTable(builder.ctrColumns)
        unseenValues = KernelTable(builder.unseenValues)
    }

    /// The bytes its tables hold.
    var residentBytes: Int {
        indicators.allocatedBytes + readers.allocatedBytes + categoricalColumns.allocatedBytes + floatTests.allocatedBytes
            + oneHotTests.allocatedBytes + elements.allocatedBytes + slots.allocatedBytes
            + ctrColumns.allocatedBytes + unseenValues.allocatedBytes
    }

    /// The float features of `ensemble`, then one per indicator column, then one per CTR column;
    /// one-hot and CTR splits renumbered onto them.
    private static func numericEnsemble(of ensemble: Ensemble, indicatorCount: Int, oneHotStarts: [Int]) -> Ensemble {
        let inputColumnCount = ensemble.columnCount
        var features = ensemble.features
        for indicator in 0..<indicatorCount {
            features.append(FloatFeature(columnIndex: inputColumnCount + indicator, borders: [0.5]))
        }
        for (index, ctr) in ensemble.ctrFeatures.enumerated() {
            features.append(
                FloatFeature(columnIndex: inputColumnCount + indicatorCount + index, borders: ctr.borders.indices.map { Float($0) + 0.5 }))
        }
        var trees = ensemble.trees
        for treeIndex in trees.indices {
            for level in trees[treeIndex].splits.indices {
                let split = trees[treeIndex].splits[level]
                switch ensemble.splitFeature(at: split.featureIndex) {
                case .float: continue
                case .oneHot(let index):
                    trees[treeIndex].splits[level] = TreeSplit(featureIndex: oneHotStarts[index] + split.borderIndex, borderIndex: 0)
                case .ctr(let index):
                    trees[treeIndex].splits[level].featureIndex = ensemble.features.count + indicatorCount + index
                }
            }
        }
        return Ensemble(
            features: features, trees: trees, scale: ensemble.scale, bias: ensemble.bias,
            lossFunction: ensemble.lossFunction, parametersJSON: ensemble.parametersJSON)
    }

    /// Rows transformed together: their output rows (a float per output column, ~1 KB on a
    /// 500-tree model) stay in L1 while every table writes into them, where 128 rows at once
    /// spill those writes to L2 (7% faster on a 500-tree flights model).
    static let chunkRowCount = 16

    /// Writes `rowCount` output rows for as many input rows.
    func apply(rows input: UnsafePointer<Float>, rowCount: Int, into output: UnsafeMutablePointer<Float>) {
        var start = 0
        while start < rowCount {
            let count = min(Self.chunkRowCount, rowCount - start)
            applyChunk(rows: input + start * inputColumnCount, rowCount: count, into: output + start * outputColumnCount)
            start += count
        }
    }

    private func applyChunk(rows input: UnsafePointer<Float>, rowCount: Int, into output: UnsafeMutablePointer<Float>) {
        let (inputWidth, outputWidth) = (inputColumnCount, outputColumnCount)
        for row in 0..<rowCount {
            (output + row * outputWidth).update(from: input + row * inputWidth, count: inputWidth)
        }
        for (offset, indicator) in indicators.unsafeElements.enumerated() {
            for row in 0..<rowCount {
                let hash = CategoryHash.hash(storedIn: input[row * inputWidth + Int(indicator.column)])
                output[row * outputWidth + inputWidth + offset] = hash == indicator.value ? 1 : 0
            }
        }
        let tables = Tables(self)
        let scratchCount = (2 + operandCount) * Self.chunkRowCount
        withExtendedLifetime(self) {
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: scratchCount) { scratch in
                let keys = scratch.baseAddress!
                let homeKeys = keys + Self.chunkRowCount
                let operands = homeKeys + Self.chunkRowCount
                tables.computeOperands(of: input, rowCount: rowCount, inputWidth: inputWidth, into: operands)
                for reader in readers.unsafeElements {
                    // Element-major, so the rows' multiply chains are independent of each other.
                    keys.update(repeating: 0, count: rowCount)
                    for element in tables.elements[reader.elementStart..<(reader.elementStart + reader.elementCount)] {
                        let column = operands + Int(element) * Self.chunkRowCount
                        for row in 0..<rowCount { keys[row] = FeatureCombination.mix(keys[row], column[row]) }
                    }
                    // The rows' slot loads (cache misses once the tables outgrow L2) in a loop of
                    // their own, so they are in flight together.
                    for row in 0..<rowCount {
                        homeKeys[row] = tables.homeKey(of: keys[row], reader: reader)
                    }
                    for row in 0..<rowCount {
                        let slot = tables.slot(of: keys[row], homeKey: homeKeys[row], reader: reader)
                        tables.writeValues(of: reader, slot: slot, into: output + row * outputWidth)
                    }
                }
            }
        }
    }

    func apply(row input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        apply(rows: input, rowCount: 1, into: output)
    }
}
