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
        var elements: [Int32] = []
        /// Operand index of each categorical column, float test and one-hot test already added.
        private var categoricalOperands: [Int32: Int] = [:]
        private var floatOperands: [FloatTestKey: Int] = [:]
        private var oneHotOperands: [EqualityKey: Int] = [:]
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
            // Operands first (their kinds in blocks: categorical, float, one-hot), then readers.
            let used = ctrsByTable.indices.filter { !ctrsByTable[$0].isEmpty }
            for tableIndex in used { registerOperands(of: ensemble.ctrTables[tableIndex].combination) }
            for tableIndex in used { addReader(table: ensemble.ctrTables[tableIndex], ctrIndexes: ctrsByTable[tableIndex]) }
        }

        struct FloatTestKey: Hashable { var column: Int32, treatment: UInt8, border: UInt32 }
        struct EqualityKey: Hashable { var column: Int32, value: UInt32 }

        private func column(ofCategorical feature: Int) -> Int32 { Int32(ensemble.categoricalFeatures[feature].columnIndex) }

        private func floatTest(_ split: FeatureCombination.FloatSplit) -> FloatSplitTest {
            let feature = ensemble.features[split.floatFeatureIndex]
            return FloatSplitTest(column: Int32(feature.columnIndex), nanValueTreatment: feature.nanValueTreatment, border: split.border)
        }

        private static func key(_ test: FloatSplitTest) -> FloatTestKey {
            FloatTestKey(column: test.column, treatment: test.nanValueTreatment.rawValue, border: test.border.bitPattern)
        }

        private mutating func registerOperands(of combination: FeatureCombination) {
            for feature in combination.categoricalFeatures where categoricalOperands[column(ofCategorical: feature)] == nil {
                categoricalOperands[column(ofCategorical: feature)] = categoricalColumns.count
                categoricalColumns.append(column(ofCategorical: feature))
            }
            for split in combination.floatSplits where floatOperands[Self.key(floatTest(split))] == nil {
                floatOperands[Self.key(floatTest(split))] = floatTests.count
                floatTests.append(floatTest(split))
            }
            for split in combination.oneHotSplits {
                let test = Equality(column: column(ofCategorical: split.categoricalFeatureIndex), value: split.value)
                let key = EqualityKey(column: test.column, value: test.value)
                if oneHotOperands[key] == nil {
                    oneHotOperands[key] = oneHotTests.count
                    oneHotTests.append(test)
                }
            }
        }

        private mutating func addReader(table: CTRTable, ctrIndexes: [Int]) {
            let combination = table.combination
            let (floatBase, oneHotBase) = (categoricalColumns.count, categoricalColumns.count + floatTests.count)
            var reader = Reader(
                elementStart: elements.count, elementCount: combination.complexity, slotStart: slots.count, slotMask: 0,
                slotWords: 1 + (ctrIndexes.count + 7) / 8, ctrStart: ctrColumns.count, ctrCount: ctrIndexes.count)
            for feature in combination.categoricalFeatures {
                elements.append(Int32(categoricalOperands[column(ofCategorical: feature)]!))
            }
            for split in combination.floatSplits {
                elements.append(Int32(floatBase + floatOperands[Self.key(floatTest(split))]!))
            }
            for split in combination.oneHotSplits {
                let key = EqualityKey(column: column(ofCategorical: split.categoricalFeatureIndex), value: split.value)
                elements.append(Int32(oneHotBase + oneHotOperands[key]!))
            }
            let ctrs = ctrIndexes.map { ensemble.ctrFeatures[$0] }
            reader.slotMask = addSlots(table: table, ctrs: ctrs, slotWords: reader.slotWords) - 1
            for (ctr, index) in zip(ctrs, ctrIndexes) {
                ctrColumns.append(Int32(ctrColumnStart + index))
                unseenValues.append(Float(Self.bin(of: ctr.value(in: table, entry: nil), borders: ctr.borders)))
            }
            readers.append(reader)
        }

        /// Appends a power-of-two run of slots at most 4/5 full (linear probing stays within a line
        /// or two; a sparser table only adds cache misses), each the key and then its CTRs' bins,
        /// a byte each; returns the slot count.
        private mutating func addSlots(table: CTRTable, ctrs: [CTRFeature], slotWords: Int) -> Int {
            var capacity = 2
            while capacity * 4 < table.entryCount * 5 { capacity <<= 1 }
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
                    let bin = UInt64(Self.bin(of: ctr.value(in: table, entry: entry), borders: ctr.borders))
                    slots[offset + 1 + index / 8] |= bin << (8 * UInt64(index % 8))
                }
            }
            return capacity
        }

        /// How many of the CTR's borders its value is above: the numeric model compares it with
        /// `0.5, 1.5, …` (`numericEnsemble`), which is `value > border` on the CTR's own borders.
        static func bin(of value: Float, borders: [Float]) -> UInt8 {
            precondition(borders.count < 256, "a CTR has at most 255 borders")
            return UInt8(borders.reduce(0) { $0 + (value > $1 ? 1 : 0) })
        }
    }
}
