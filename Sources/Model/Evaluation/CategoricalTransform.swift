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
        /// Its column's index in `floatColumns`.
        var slot: Int32
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

    /// A CTR table laid out densely (`DensePlan`): cell `Σ strideᵢ · operandᵢ` over
    /// `denseElements[elementStart ..< + elementCount]` holds, from byte `cellStart + cell ·
    /// ctrCount`, the bin of each CTR that reads the table.
    struct DenseReader: Sendable {
        var elementStart: Int, elementCount: Int
        var cellStart: Int
        var ctrStart: Int, ctrCount: Int
    }

    /// A categorical column whose ids dense tables read: `idSlots[slotStart ... + slotMask]` are
    /// its `CategoryIDs.slots`; a hash not there is id `unseen`.
    struct IDColumn: Sendable {
        var column: Int32
        var slotStart: Int, slotMask: Int
        var unseen: UInt32
    }

    let inputColumnCount: Int
    let outputColumnCount: Int
    /// The model over the output columns: float features only.
    let numericEnsemble: Ensemble

    let indicators: KernelTable<Equality>
    let readers: KernelTable<Reader>
    /// A row's operands, computed once per row and shared by every table's key: each
    /// categorical column's hash (sign-extended, as `CalcHashes` takes it), then each distinct
    /// float split outcome, then each distinct one-hot outcome, then the ids of `idColumns`.
    let categoricalColumns: KernelTable<Int32>
    let floatTests: KernelTable<FloatSplitTest>
    /// The input columns float tests read, transposed per chunk so a test compares 16 rows at once.
    let floatColumns: KernelTable<Int32>
    let oneHotTests: KernelTable<Equality>
    let operandCount: Int
    /// Per reader, the operand indexes its key folds.
    let elements: KernelTable<Int32>
    let slots: KernelTable<UInt64>
    let denseReaders: KernelTable<DenseReader>
    /// Per dense reader, the operands its cell index weighs, and their weights.
    let denseElements: KernelTable<Int32>
    let denseStrides: KernelTable<UInt32>
    let cells: KernelTable<UInt8>
    let idColumns: KernelTable<IDColumn>
    let idSlots: KernelTable<UInt64>
    /// The output column of the first CTR; the CTRs follow in reader order.
    let ctrColumnStart: Int
    /// Per CTR (in reader order): its value for a key the table lacks.
    let unseenValues: KernelTable<Float>

    /// Which layouts the tables may take; tests force each to compare them.
    enum Layouts {
        /// Dense where `DensePlan` finds it exact and no larger than hashed slots.
        case automatic
        /// Dense wherever it is exact, whatever the size.
        case denseWherePossible
        case hashedOnly
    }

    init(_ ensemble: Ensemble, layouts: Layouts = .automatic) {
        var builder = Builder(ensemble, layouts: layouts)
        builder.addReaders()
        inputColumnCount = builder.inputColumnCount
        outputColumnCount = builder.ctrColumnStart + ensemble.ctrFeatures.count
        ctrColumnStart = builder.ctrColumnStart
        numericEnsemble = Self.numericEnsemble(
            of: ensemble, indicatorCount: builder.indicators.count, oneHotStarts: builder.oneHotStarts,
            ctrOrder: builder.ctrOrder)
        indicators = KernelTable(builder.indicators)
        readers = KernelTable(builder.readers)
        categoricalColumns = KernelTable(builder.categoricalColumns)
        floatTests = KernelTable(builder.floatTests)
        floatColumns = KernelTable(builder.floatColumns)
        oneHotTests = KernelTable(builder.oneHotTests)
        operandCount = builder.categoricalColumns.count + builder.floatTests.count + builder.oneHotTests.count
            + builder.idColumns.count
        elements = KernelTable(builder.elements)
        slots = KernelTable(builder.slots)
        denseReaders = KernelTable(builder.denseReaders)
        denseElements = KernelTable(builder.denseElements)
        denseStrides = KernelTable(builder.denseStrides)
        cells = KernelTable(builder.cells)
        idColumns = KernelTable(builder.idColumns)
        idSlots = KernelTable(builder.idSlots)
        unseenValues = KernelTable(builder.unseenValues)
    }

    /// The bytes its tables hold.
    var residentBytes: Int {
        indicators.allocatedBytes + readers.allocatedBytes + categoricalColumns.allocatedBytes + floatTests.allocatedBytes + floatColumns.allocatedBytes
            + oneHotTests.allocatedBytes + elements.allocatedBytes + slots.allocatedBytes
            + unseenValues.allocatedBytes + denseReaders.allocatedBytes
            + denseElements.allocatedBytes + denseStrides.allocatedBytes + cells.allocatedBytes + idColumns.allocatedBytes
            + idSlots.allocatedBytes
    }

    /// The float features of `ensemble`, then one per indicator column, then one per CTR column
    /// (in `ctrOrder`); one-hot and CTR splits renumbered onto them.
    private static func numericEnsemble(of ensemble: Ensemble, indicatorCount: Int, oneHotStarts: [Int], ctrOrder: [Int]) -> Ensemble {
        let inputColumnCount = ensemble.columnCount
        var features = ensemble.features
        for indicator in 0..<indicatorCount {
            features.append(FloatFeature(columnIndex: inputColumnCount + indicator, borders: [0.5]))
        }
        var rank = [Int](repeating: 0, count: ensemble.ctrFeatures.count)
        for (position, index) in ctrOrder.enumerated() {
            rank[index] = position
            features.append(
                FloatFeature(
                    columnIndex: inputColumnCount + indicatorCount + position,
                    borders: ensemble.ctrFeatures[index].borders.indices.map { Float($0) + 0.5 }))
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
                    trees[treeIndex].splits[level].featureIndex = ensemble.features.count + indicatorCount + rank[index]
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
        let layout = Scratch.Layout(operandCount: operandCount, floatColumnCount: floatColumns.count)
        withExtendedLifetime(self) {
            withUnsafeTemporaryAllocation(byteCount: layout.byteCount, alignment: 64) { memory in
                let scratch = Scratch(memory.baseAddress!, layout: layout)
                var start = 0
                while start < rowCount {
                    let count = min(Self.chunkRowCount, rowCount - start)
                    applyChunk(
                        rows: input + start * inputColumnCount, rowCount: count, into: output + start * outputColumnCount,
                        scratch: scratch)
                    start += count
                }
            }
        }
    }

    private func applyChunk(
        rows input: UnsafePointer<Float>, rowCount: Int, into output: UnsafeMutablePointer<Float>, scratch: Scratch
    ) {
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
        tables.computeOperands(of: input, rowCount: rowCount, inputWidth: inputWidth, scratch: scratch)
        readDense(tables: tables, scratch: scratch, rowCount: rowCount, into: output)
        readHashed(tables: tables, scratch: scratch, rowCount: rowCount, into: output)
    }

    /// The dense tables' CTRs, the cells of the table `prefetchDistance` ahead prefetched while
    /// this one is read (the cells of large tables outgrow L2).
    @inline(__always)
    private func readDense(tables: Tables, scratch: Scratch, rowCount: Int, into output: UnsafeMutablePointer<Float>) {
        let readers = denseReaders.unsafeElements
        Self.pipelined(
            count: readers.count,
            prepare: { reader, ring in
                tables.computeCells(of: readers[reader], operands: scratch.operands, into: scratch.cellIndexes(ring))
            },
            consume: { reader, ring in
                tables.writeDense(
                    readers[reader], cellIndexes: scratch.cellIndexes(ring), rowCount: rowCount, into: output,
                    outputWidth: outputColumnCount)
            })
    }

    /// The hashed tables' CTRs. A table's probes miss cache once the tables outgrow L2, so the
    /// keys of the table `prefetchDistance` ahead are computed and their home slots prefetched
    /// while this one is probed: the misses of several tables are in flight at once.
    @inline(__always)
    private func readHashed(tables: Tables, scratch: Scratch, rowCount: Int, into output: UnsafeMutablePointer<Float>) {
        let readers = readers.unsafeElements
        Self.pipelined(
            count: readers.count,
            prepare: { reader, ring in
                tables.computeKeys(of: readers[reader], operands: scratch.operands, rowCount: rowCount, into: scratch.keys(ring))
            },
            consume: { reader, ring in
                let keys = scratch.keys(ring)
                for row in 0..<rowCount {
                    let slot = tables.slot(of: keys[row], reader: readers[reader])
                    tables.writeValues(of: readers[reader], slot: slot, into: output + row * outputColumnCount)
                }
            })
    }

    /// How many tables ahead of the one being read keys or cells are computed and prefetched.
    static let prefetchDistance = 4

    /// `prepare(i, ring)` runs `prefetchDistance` items ahead of `consume(i, ring)`, for items
    /// `0 ..< count` in order, `ring` (`i % prefetchDistance`) naming the scratch entry the two
    /// share: item i's entry is refilled for item i + distance once item i is consumed.
    @inline(__always)
    private static func pipelined(count: Int, prepare: (Int, Int) -> Void, consume: (Int, Int) -> Void) {
        let distance = prefetchDistance
        for ahead in 0..<min(distance, count) { prepare(ahead, ahead) }
        for item in 0..<count {
            consume(item, item % distance)
            if item + distance < count { prepare(item + distance, item % distance) }
        }
    }

    func apply(row input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        apply(rows: input, rowCount: 1, into: output)
    }
}
