extension CategoricalTransform {
    /// Lays an ensemble's categorical parts out as the transform's flat tables.
    struct Builder {
        let ensemble: Ensemble
        let inputColumnCount: Int
        var indicators: [Equality] = []
        /// Per one-hot feature, the numeric feature index of its first indicator.
        var oneHotStarts: [Int] = []
        var readers: [Reader] = []
        var categoricalColumns: [Int32] = []
        var floatTests: [FloatSplitTest] = []
        var oneHotTests: [Equality] = []
        var slots: [UInt64] = []
        var ctrColumns: [Int32] = []
        var unseenValues: [Float] = []

        init(_ ensemble: Ensemble) {
            self.ensemble = ensemble
            inputColumnCount = ensemble.columnCount
            for oneHot in ensemble.oneHotFeatures {
                oneHotStarts.append(ensemble.features.count + indicators.count)
                let column = Int32(ensemble.categoricalFeatures[oneHot.categoricalFeatureIndex].columnIndex)
                indicators += oneHot.values.map { Equality(column: column, value: $0) }
            }
        }

        var ctrColumnStart: Int { inputColumnCount + indicators.count }

        mutating func addReaders() {
            var ctrsByTable = [[Int]](repeating: [], count: ensemble.ctrTables.count)
            for (index, ctr) in ensemble.ctrFeatures.enumerated() { ctrsByTable[ctr.tableIndex].append(index) }
            for (tableIndex, ctrIndexes) in ctrsByTable.enumerated() where !ctrIndexes.isEmpty {
                addReader(table: ensemble.ctrTables[tableIndex], ctrIndexes: ctrIndexes)
            }
        }

        private mutating func addReader(table: CTRTable, ctrIndexes: [Int]) {
            let combination = table.combination
            let categorical = ensemble.categoricalFeatures
            let column = { (feature: Int) in Int32(categorical[feature].columnIndex) }
            var reader = Reader(
                categoricalStart: Int32(categoricalColumns.count), categoricalCount: Int32(combination.categoricalFeatures.count),
                floatStart: Int32(floatTests.count), floatCount: Int32(combination.floatSplits.count),
                oneHotStart: Int32(oneHotTests.count), oneHotCount: Int32(combination.oneHotSplits.count),
                slotStart: slots.count, slotMask: 0, slotWords: 1 + (ctrIndexes.count + 1) / 2, ctrStart: ctrColumns.count,
                ctrCount: ctrIndexes.count)
            categoricalColumns += combination.categoricalFeatures.map(column)
            let floatFeatures = ensemble.features
            floatTests += combination.floatSplits.map { split in
                let feature = floatFeatures[split.floatFeatureIndex]
                return FloatSplitTest(column: Int32(feature.columnIndex), nanValueTreatment: feature.nanValueTreatment, border: split.border)
            }
            oneHotTests += combination.oneHotSplits.map { Equality(column: column($0.categoricalFeatureIndex), value: $0.value) }
            let ctrs = ctrIndexes.map { ensemble.ctrFeatures[$0] }
            reader.slotMask = addSlots(table: table, ctrs: ctrs, slotWords: reader.slotWords) - 1
            for (ctr, index) in zip(ctrs, ctrIndexes) {
                ctrColumns.append(Int32(ctrColumnStart + index))
                unseenValues.append(ctr.value(in: table, entry: nil))
            }
            readers.append(reader)
        }

        /// Appends a power-of-two run of slots at most half full, each the key and its CTR values
        /// (float pairs in words); returns the slot count.
        private mutating func addSlots(table: CTRTable, ctrs: [CTRFeature], slotWords: Int) -> Int {
            var capacity = 2
            while capacity < table.entryCount * 2 { capacity <<= 1 }
            let start = slots.count
            for _ in 0..<capacity {
                slots.append(CTRTable.emptyKey)
                slots += repeatElement(0, count: slotWords - 1)
            }
            for (entry, key) in table.keys.enumerated() {
                var slot = Int(truncatingIfNeeded: key) & (capacity - 1)
                while slots[start + slot * slotWords] != CTRTable.emptyKey { slot = (slot + 1) & (capacity - 1) }
                let offset = start + slot * slotWords
                slots[offset] = key
                for (index, ctr) in ctrs.enumerated() {
                    let bits = UInt64(ctr.value(in: table, entry: entry).bitPattern)
                    slots[offset + 1 + index / 2] |= index % 2 == 0 ? bits : bits << 32
                }
            }
            return capacity
        }
    }
}
