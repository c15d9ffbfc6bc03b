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
        let ctrColumns: UnsafeBufferPointer<Int32>
        let unseenValues: UnsafeBufferPointer<Float>

        init(_ transform: CategoricalTransform) {
            categoricalColumns = transform.categoricalColumns.unsafeElements
            floatTests = transform.floatTests.unsafeElements
            oneHotTests = transform.oneHotTests.unsafeElements
            elements = transform.elements.unsafeElements
            slots = transform.slots.unsafeElements
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
        }

        /// The key stored in the key's home slot: loaded ahead of `slot(of:homeKey:reader:)`.
        @inline(__always)
        func homeKey(of key: UInt64, reader: Reader) -> UInt64 {
            slots[reader.slotStart + (Int(truncatingIfNeeded: key) & reader.slotMask) * reader.slotWords]
        }

        /// The word offset in `slots` of the key's slot, or -1 when the learn set never had the key.
        @inline(__always)
        func slot(of key: UInt64, homeKey: UInt64, reader: Reader) -> Int {
            var slot = Int(truncatingIfNeeded: key) & reader.slotMask
            var found = homeKey
            while true {
                let offset = reader.slotStart + slot * reader.slotWords
                if found == key { return offset }
                if found == CTRTable.emptyKey { return -1 }
                slot = (slot + 1) & reader.slotMask
                found = slots[reader.slotStart + slot * reader.slotWords]
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
