extension CategoricalTransform {
    /// The transform's flat tables as pointers, for the per-row loops of `apply`; valid while the
    /// transform lives (its `KernelTable`s never move).
    // Sendable is not needed: built and used inside one `apply` call.
    struct Tables {
        let categoricalColumns: UnsafeBufferPointer<Int32>
        let floatTests: UnsafeBufferPointer<FloatSplitTest>
        let floatColumns: UnsafeBufferPointer<Int32>
        let oneHotTests: UnsafeBufferPointer<Equality>
        let elements: UnsafeBufferPointer<Int32>
        let slots: UnsafeBufferPointer<UInt64>
        let denseElements: UnsafeBufferPointer<Int32>
        let denseStrides: UnsafeBufferPointer<UInt32>
        let cells: UnsafeBufferPointer<UInt8>
        let idColumns: UnsafeBufferPointer<IDColumn>
        let idSlots: UnsafeBufferPointer<UInt64>
        let ctrColumnStart: Int
        let unseenValues: UnsafeBufferPointer<Float>

        init(_ transform: CategoricalTransform) {
            categoricalColumns = transform.categoricalColumns.unsafeElements
            floatTests = transform.floatTests.unsafeElements
            floatColumns = transform.floatColumns.unsafeElements
            oneHotTests = transform.oneHotTests.unsafeElements
            elements = transform.elements.unsafeElements
            slots = transform.slots.unsafeElements
            denseElements = transform.denseElements.unsafeElements
            denseStrides = transform.denseStrides.unsafeElements
            cells = transform.cells.unsafeElements
            idColumns = transform.idColumns.unsafeElements
            idSlots = transform.idSlots.unsafeElements
            ctrColumnStart = transform.ctrColumnStart
            unseenValues = transform.unseenValues.unsafeElements
        }

        /// The operands of every row, operand-major (`operands[operand · chunkRowCount + row]`):
        /// the values `CalcHashes` (`catboost/libs/model/ctr_provider.h`) folds into a key.
        func computeOperands(of input: UnsafePointer<Float>, rowCount: Int, inputWidth: Int, scratch: Scratch) {
            var operand = scratch.operands
            for column in categoricalColumns {
                for row in 0..<rowCount {
                    operand[row] = CategoryHash.hash(storedIn: input[row * inputWidth + Int(column)])
                }
                operand += CategoricalTransform.chunkRowCount
            }
            computeFloatOutcomes(of: input, rowCount: rowCount, inputWidth: inputWidth, columns: scratch.columns, into: operand)
            operand += floatTests.count * CategoricalTransform.chunkRowCount
            for test in oneHotTests {
                for row in 0..<rowCount {
                    operand[row] = CategoryHash.hash(storedIn: input[row * inputWidth + Int(test.column)]) == test.value ? 1 : 0
                }
                operand += CategoricalTransform.chunkRowCount
            }
            for idColumn in idColumns {
                for row in 0..<rowCount {
                    operand[row] = id(of: CategoryHash.hash(storedIn: input[row * inputWidth + Int(idColumn.column)]), in: idColumn)
                }
                operand += CategoricalTransform.chunkRowCount
            }
        }

        /// Every float test's outcome for every row: the tested columns transposed (rows past
        /// `rowCount` zero), then 16 rows compared at once. `NanValueTreatment.substitute` then
        /// `>`, as masks rather than branches: outcomes are data, and a branch on them mispredicts.
        @inline(__always)
        func computeFloatOutcomes(
            of input: UnsafePointer<Float>, rowCount: Int, inputWidth: Int, columns: UnsafeMutablePointer<Float>,
            into operands: UnsafeMutablePointer<UInt32>
        ) {
            typealias Lanes = SIMD16<Float>
            for (slot, column) in floatColumns.enumerated() {
                let transposed = columns + slot * Lanes.scalarCount
                for row in 0..<Lanes.scalarCount {
                    transposed[row] = row < rowCount ? input[row * inputWidth + Int(column)] : 0
                }
            }
            for (index, test) in floatTests.enumerated() {
                let values = UnsafeRawPointer(columns + Int(test.slot) * Lanes.scalarCount).loadUnaligned(as: Lanes.self)
                var passes = values .> Lanes(repeating: test.border)
                if test.nanValueTreatment.substitute(.nan) > test.border { passes .|= values .!= values }
                let outcomes = SIMD16<UInt32>(truncatingIfNeeded: laneBits(passes)) & 1
                UnsafeMutableRawPointer(operands + index * Lanes.scalarCount).storeBytes(of: outcomes, as: SIMD16<UInt32>.self)
            }
        }

        /// `CategoryIDs`' lookup over the flat copy of its slots.
        @inline(__always)
        func id(of hash: UInt32, in column: IDColumn) -> UInt32 {
            let word = CategoryIDs.probe(hash, mask: column.slotMask) { idSlots[column.slotStart + $0] }
            return word == 0 ? column.unseen : UInt32(truncatingIfNeeded: word) - 1
        }

        /// A dense table's cell for every row of the chunk (32-bit: `DensePlan` keeps cell counts
        /// below 2^31), each cell's line prefetched.
        @inline(__always)
        func computeCells(of reader: DenseReader, operands: UnsafePointer<UInt32>, into cellIndexes: UnsafeMutablePointer<UInt32>) {
            typealias Lanes = SIMD16<UInt32>
            var cellsOfRows = Lanes(repeating: 0)
            for element in reader.elementStart..<(reader.elementStart + reader.elementCount) {
                let column = UnsafeRawPointer(operands + Int(denseElements[element]) * Lanes.scalarCount)
                cellsOfRows &+= Lanes(repeating: denseStrides[element]) &* column.loadUnaligned(as: Lanes.self)
            }
            UnsafeMutableRawPointer(cellIndexes).storeBytes(of: cellsOfRows, as: Lanes.self)
            let base = cells.baseAddress! + reader.cellStart
            for row in 0..<Lanes.scalarCount { prefetchForRead(base + Int(cellsOfRows[row]) * reader.ctrCount) }
        }

        /// Writes the bins of a dense table's CTRs into every row.
        @inline(__always)
        func writeDense(
            _ reader: DenseReader, cellIndexes: UnsafePointer<UInt32>, rowCount: Int, into output: UnsafeMutablePointer<Float>,
            outputWidth: Int
        ) {
            let firstColumn = ctrColumnStart + reader.ctrStart
            let base = cells.baseAddress! + reader.cellStart
            for row in 0..<rowCount {
                let bins = base + Int(cellIndexes[row]) * reader.ctrCount
                let target = output + row * outputWidth + firstColumn
                for offset in 0..<reader.ctrCount { target[offset] = Float(bins[offset]) }
            }
        }

        /// Folds every row's key for `reader` into `keys` (element-major, so the rows' multiply
        /// chains are independent) and prefetches each key's home slot.
        @inline(__always)
        func computeKeys(of reader: Reader, operands: UnsafePointer<UInt32>, rowCount: Int, into keys: UnsafeMutablePointer<UInt64>) {
            keys.update(repeating: 0, count: rowCount)
            for element in elements[reader.elementStart..<(reader.elementStart + reader.elementCount)] {
                let column = operands + Int(element) * CategoricalTransform.chunkRowCount
                // Sign-extended: a category as `CalcHashes` takes it; outcomes are 0 or 1 either way.
                for row in 0..<rowCount { keys[row] = FeatureCombination.mix(keys[row], UInt64(bitPattern: Int64(Int32(bitPattern: column[row])))) }
            }
            let base = slots.baseAddress! + reader.slotStart
            for row in 0..<rowCount {
                prefetchForRead(base + (Int(truncatingIfNeeded: keys[row]) & reader.slotMask) * reader.slotWords)
            }
        }

        /// The word offset in `slots` of the key's slot, or -1 when the learn set never had the key.
        @inline(__always)
        func slot(of key: UInt64, reader: Reader) -> Int {
            var slot = Int(truncatingIfNeeded: key) & reader.slotMask
            while true {
                let offset = reader.slotStart + slot * reader.slotWords
                let found = slots[offset]
                if found == key { return offset }
                if found == CTRTable.emptyKey { return -1 }
                slot = (slot + 1) & reader.slotMask
            }
        }

        @inline(__always)
        func writeValues(of reader: Reader, slot: Int, into row: UnsafeMutablePointer<Float>) {
            if slot < 0 {
                for ctr in reader.ctrStart..<(reader.ctrStart + reader.ctrCount) { row[ctrColumnStart + ctr] = unseenValues[ctr] }
                return
            }
            let bins = UnsafeRawPointer(slots.baseAddress! + slot + 1).assumingMemoryBound(to: UInt8.self)
            for offset in 0..<reader.ctrCount {
                row[ctrColumnStart + reader.ctrStart + offset] = Float(bins[offset])
            }
        }
    }
}
