extension CategoricalTransform {
    /// The transform's flat tables as pointers, for the per-row loops of `apply`; valid while the
    /// transform lives (its `KernelTable`s never move).
    // Sendable is not needed: built and used inside one `apply` call.
    struct Tables {
        let categoricalColumns: UnsafeBufferPointer<Int32>
        let floatTests: UnsafeBufferPointer<FloatSplitTest>
        let oneHotTests: UnsafeBufferPointer<Equality>
        let slots: UnsafeBufferPointer<UInt64>
        let ctrColumns: UnsafeBufferPointer<Int32>
        let unseenValues: UnsafeBufferPointer<Float>

        init(_ transform: CategoricalTransform) {
            categoricalColumns = transform.categoricalColumns.unsafeElements
            floatTests = transform.floatTests.unsafeElements
            oneHotTests = transform.oneHotTests.unsafeElements
            slots = transform.slots.unsafeElements
            ctrColumns = transform.ctrColumns.unsafeElements
            unseenValues = transform.unseenValues.unsafeElements
        }

        /// The row's key in the reader's table (`CalcHashes`, `catboost/libs/model/ctr_provider.h`):
        /// categorical hashes, then float split outcomes, then one-hot outcomes.
        @inline(__always)
        func key(of row: UnsafePointer<Float>, reader: Reader) -> UInt64 {
            var key: UInt64 = 0
            for index in Int(reader.categoricalStart)..<Int(reader.categoricalStart + reader.categoricalCount) {
                key = FeatureCombination.mix(key, category: CategoryHash.hash(storedIn: row[Int(categoricalColumns[index])]))
            }
            for index in Int(reader.floatStart)..<Int(reader.floatStart + reader.floatCount) {
                let test = floatTests[index]
                key = FeatureCombination.mix(key, test.nanValueTreatment.substitute(row[Int(test.column)]) > test.border ? 1 : 0)
            }
            for index in Int(reader.oneHotStart)..<Int(reader.oneHotStart + reader.oneHotCount) {
                let test = oneHotTests[index]
                key = FeatureCombination.mix(key, CategoryHash.hash(storedIn: row[Int(test.column)]) == test.value ? 1 : 0)
            }
            return key
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
            let values = UnsafeRawPointer(slots.baseAddress! + slot + 1).assumingMemoryBound(to: Float.self)
            for offset in 0..<reader.ctrCount {
                row[Int(ctrColumns[reader.ctrStart + offset])] = values[offset]
            }
        }
    }
}
