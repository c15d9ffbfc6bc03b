extension CategoricalTransform {
    /// The transform's flat tables as pointers, for the per-row loops of `apply`; valid while the
    /// transform lives (its `KernelTable`s never move).
    // Sendable is not needed: built and used inside one `apply` call.
    struct Tables {
        let categoricalColumns: UnsafeBufferPointer<Int32>
        let floatTests: UnsafeBufferPointer<FloatSplitTest>
        let oneHotTests: UnsafeBufferPointer<Equality>
        let elements: UnsafeBufferPointer<Int32>
        let slots: UnsafeBufferPointer<UInt64>
        let denseElements: UnsafeBufferPointer<Int32>
        let denseStrides: UnsafeBufferPointer<UInt64>
        let cells: UnsafeBufferPointer<UInt8>
        let idColumns: UnsafeBufferPointer<IDColumn>
        let idSlots: UnsafeBufferPointer<UInt64>
        let ctrColumns: UnsafeBufferPointer<Int32>
        let unseenValues: UnsafeBufferPointer<Float>

        init(_ transform: CategoricalTransform) {
            categoricalColumns = transform.categoricalColumns.unsafeElements
            floatTests = transform.floatTests.unsafeElements
            oneHotTests = transform.oneHotTests.unsafeElements
            elements = transform.elements.unsafeElements
            slots = transform.slots.unsafeElements
            denseElements = transform.denseElements.unsafeElements
            denseStrides = transform.denseStrides.unsafeElements
            cells = transform.cells.unsafeElements
            idColumns = transform.idColumns.unsafeElements
            idSlots = transform.idSlots.unsafeElements
            ctrColumns = transform.ctrColumns.unsafeElements
            unseenValues = transform.unseenValues.unsafeElements
        }

        /// The operands of every row, operand-major (`operands[operand · chunkRowCount + row]`):
        /// the values `CalcHashes` (`catboost/libs/model/ctr_provider.h`) folds into a key.
        func computeOperands(
            of input: UnsafePointer<Float>, rowCount: Int, inputWidth: Int, into operands: UnsafeMutablePointer<UInt64>
        ) {
            var operand = operands
            for column in categoricalColumns {
                for row in 0..<rowCount {
                    let hash = CategoryHash.hash(storedIn: input[row * inputWidth + Int(column)])
                    operand[row] = UInt64(bitPattern: Int64(Int32(bitPattern: hash)))
                }
                operand += CategoricalTransform.chunkRowCount
            }
            for test in floatTests {
                for row in 0..<rowCount {
                    operand[row] = test.nanValueTreatment.substitute(input[row * inputWidth + Int(test.column)]) > test.border ? 1 : 0
                }
                operand += CategoricalTransform.chunkRowCount
            }
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

        /// `CategoryIDs`' lookup over the flat copy of its slots.
        @inline(__always)
        func id(of hash: UInt32, in column: IDColumn) -> UInt64 {
            var slot = CategoryIDs.home(of: hash, mask: column.slotMask)
            while true {
                let word = idSlots[column.slotStart + slot]
                if word == 0 { return column.unseen }
                if UInt32(truncatingIfNeeded: word >> 32) == hash { return (word & 0xFFFF_FFFF) - 1 }
                slot = (slot + 1) & column.slotMask
            }
        }

        /// Writes the bins of a dense table's CTRs into every row; `scratch` holds a chunk's cell
        /// indexes.
        @inline(__always)
        func readDense(
            _ reader: DenseReader, operands: UnsafePointer<UInt64>, rowCount: Int, scratch: UnsafeMutablePointer<UInt64>,
            into output: UnsafeMutablePointer<Float>, outputWidth: Int
        ) {
            scratch.update(repeating: 0, count: rowCount)
            for element in reader.elementStart..<(reader.elementStart + reader.elementCount) {
                let column = operands + Int(denseElements[element]) * CategoricalTransform.chunkRowCount
                let stride = denseStrides[element]
                for row in 0..<rowCount { scratch[row] &+= stride &* column[row] }
            }
            for row in 0..<rowCount {
                let bins = reader.cellStart + Int(truncatingIfNeeded: scratch[row]) * reader.ctrCount
                let target = output + row * outputWidth
                for offset in 0..<reader.ctrCount {
                    target[Int(ctrColumns[reader.ctrStart + offset])] = Float(cells[bins + offset])
                }
            }
        }

        /// Folds every row's key for `reader` into `keys` (element-major, so the rows' multiply
        /// chains are independent) and prefetches each key's home slot.
        @inline(__always)
        func computeKeys(of reader: Reader, operands: UnsafePointer<UInt64>, rowCount: Int, into keys: UnsafeMutablePointer<UInt64>) {
            keys.update(repeating: 0, count: rowCount)
            for element in elements[reader.elementStart..<(reader.elementStart + reader.elementCount)] {
                let column = operands + Int(element) * CategoricalTransform.chunkRowCount
                for row in 0..<rowCount { keys[row] = FeatureCombination.mix(keys[row], column[row]) }
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
                for ctr in reader.ctrStart..<(reader.ctrStart + reader.ctrCount) { row[Int(ctrColumns[ctr])] = unseenValues[ctr] }
                return
            }
            let bins = UnsafeRawPointer(slots.baseAddress! + slot + 1).assumingMemoryBound(to: UInt8.self)
            for offset in 0..<reader.ctrCount {
                row[Int(ctrColumns[reader.ctrStart + offset])] = Float(bins[offset])
            }
        }
    }
}
