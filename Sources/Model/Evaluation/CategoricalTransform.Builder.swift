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
        /// The input columns float tests read, each transposed once per chunk.
        var floatColumns: [Int32] = []
        var oneHotTests: [Equality] = []
        var elements: [Int32] = []
        /// Operand index of each categorical column, float test and one-hot test already added.
        private var categoricalOperands: [Int32: Int] = [:]
        private var floatOperands: [FloatTestKey: Int] = [:]
        private var oneHotOperands: [EqualityKey: Int] = [:]
        var slots: [UInt64] = []
        var denseReaders: [DenseReader] = []
        var denseElements: [Int32] = []
        var denseStrides: [UInt32] = []
        var cells: [UInt8] = []
        var idColumns: [IDColumn] = []
        var idSlots: [UInt64] = []
        /// Operand index of each categorical feature's id, for the features dense tables read.
        private var idOperands: [Int: Int] = [:]
        /// The CTR features (indexes into `Ensemble.ctrFeatures`) in reader order: the output
        /// columns from `ctrColumnStart` on, so a reader writes consecutive columns.
        var ctrOrder: [Int] = []
        var unseenValues: [Float] = []

        let layouts: Layouts

        init(_ ensemble: Ensemble, layouts: Layouts) {
            self.ensemble = ensemble
            self.layouts = layouts
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
            let plan = DensePlan(ensemble: ensemble, ctrsByTable: layouts == .hashedOnly ? [] : ctrsByTable) {
                [layouts] table, ctrCount in
                layouts == .denseWherePossible
                    ? 1 << 26 : Self.slotCount(entryCount: table.entryCount) * Self.slotWords(ctrCount: ctrCount) * 8
            }
            registerIDOperands(plan.ids)
            for tableIndex in used {
                let table = ensemble.ctrTables[tableIndex]
                if let reading = plan.decompositions[tableIndex] {
                    addDenseReader(table: table, reading: reading, ids: plan.ids, ctrIndexes: ctrsByTable[tableIndex])
                } else {
                    addReader(table: table, ctrIndexes: ctrsByTable[tableIndex])
                }
            }
        }

        /// Operand count before the id block: categorical hashes, float and one-hot outcomes.
        private var idBase: Int { categoricalColumns.count + floatTests.count + oneHotTests.count }

        private mutating func registerIDOperands(_ ids: [Int: CategoryIDs]) {
            for feature in ids.keys.sorted() {
                idOperands[feature] = idBase + idColumns.count
                let map = ids[feature]!
                idColumns.append(
                    IDColumn(
                        column: column(ofCategorical: feature), slotStart: idSlots.count, slotMask: map.slots.count - 1,
                        unseen: UInt32(map.count)))
                idSlots += map.slots
            }
        }

        /// A dense table: strides put the outcome bits lowest, then each categorical part's id
        /// (unseen included), in combination order; cells start as the unseen values' bins.
        private mutating func addDenseReader(
            table: CTRTable, reading: CTRKeyDecomposition, ids: [Int: CategoryIDs], ctrIndexes: [Int]
        ) {
            let combination = table.combination
            let bitCount = DensePlan.bitCount(of: table)
            let reader = DenseReader(
                elementStart: denseElements.count, elementCount: combination.complexity, cellStart: cells.count,
                ctrStart: ctrOrder.count, ctrCount: ctrIndexes.count)
            var stride = UInt32(1) << bitCount
            for feature in combination.categoricalFeatures {
                denseElements.append(Int32(idOperands[feature]!))
                denseStrides.append(stride)
                stride *= UInt32(ids[feature]!.count + 1)
            }
            appendBitOperands(of: combination, into: &denseElements)
            denseStrides += (0..<bitCount).map { UInt32(1) << $0 }
            let ctrs = ctrIndexes.map { ensemble.ctrFeatures[$0] }
            let unseen = ctrs.map { Self.bin(of: $0.value(in: table, entry: nil), borders: $0.borders) }
            let start = cells.count
            for _ in 0..<Int(stride) { cells += unseen }
            for entry in 0..<table.entryCount {
                var cell = Int(reading.patterns[entry])
                for (part, feature) in combination.categoricalFeatures.enumerated() {
                    let id = ids[feature]!.id(of: reading.categories[entry * reading.categoryCount + part])
                    cell += id * Int(denseStrides[reader.elementStart + part])
                }
                for (index, ctr) in ctrs.enumerated() {
                    cells[start + cell * ctrs.count + index] = Self.bin(of: ctr.value(in: table, entry: entry), borders: ctr.borders)
                }
            }
            appendCTRs(ctrs, indexes: ctrIndexes, table: table)
            denseReaders.append(reader)
        }

        /// The operand indexes of a combination's float and one-hot outcomes, in key order.
        private func appendBitOperands(of combination: FeatureCombination, into elements: inout [Int32]) {
            let (floatBase, oneHotBase) = (categoricalColumns.count, categoricalColumns.count + floatTests.count)
            for split in combination.floatSplits {
                elements.append(Int32(floatBase + floatOperands[Self.key(floatTest(split))]!))
            }
            for split in combination.oneHotSplits {
                let key = EqualityKey(column: column(ofCategorical: split.categoricalFeatureIndex), value: split.value)
                elements.append(Int32(oneHotBase + oneHotOperands[key]!))
            }
        }

        private mutating func appendCTRs(_ ctrs: [CTRFeature], indexes: [Int], table: CTRTable) {
            for (ctr, index) in zip(ctrs, indexes) {
                ctrOrder.append(index)
                unseenValues.append(Float(Self.bin(of: ctr.value(in: table, entry: nil), borders: ctr.borders)))
            }
        }

        struct FloatTestKey: Hashable { var column: Int32, treatment: UInt8, border: UInt32 }
        struct EqualityKey: Hashable { var column: Int32, value: UInt32 }

        private func column(ofCategorical feature: Int) -> Int32 { Int32(ensemble.categoricalFeatures[feature].columnIndex) }

        private func floatTest(_ split: FeatureCombination.FloatSplit) -> FloatSplitTest {
            let feature = ensemble.features[split.floatFeatureIndex]
            return FloatSplitTest(
                column: Int32(feature.columnIndex), slot: -1, nanValueTreatment: feature.nanValueTreatment, border: split.border)
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
                var test = floatTest(split)
                if let slot = floatColumns.firstIndex(of: test.column) {
                    test.slot = Int32(slot)
                } else {
                    test.slot = Int32(floatColumns.count)
                    floatColumns.append(test.column)
                }
                floatTests.append(test)
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
            var reader = Reader(
                elementStart: elements.count, elementCount: combination.complexity, slotStart: slots.count, slotMask: 0,
                slotWords: Self.slotWords(ctrCount: ctrIndexes.count), ctrStart: ctrOrder.count, ctrCount: ctrIndexes.count)
            for feature in combination.categoricalFeatures {
                elements.append(Int32(categoricalOperands[column(ofCategorical: feature)]!))
            }
            appendBitOperands(of: combination, into: &elements)
            let ctrs = ctrIndexes.map { ensemble.ctrFeatures[$0] }
            reader.slotMask = addSlots(table: table, ctrs: ctrs, slotWords: reader.slotWords) - 1
            appendCTRs(ctrs, indexes: ctrIndexes, table: table)
            readers.append(reader)
        }

        /// A slot's words: the key, then a byte per CTR.
        static func slotWords(ctrCount: Int) -> Int { 1 + (ctrCount + 7) / 8 }

        /// A power of two at most 4/5 full (linear probing stays within a line or two; a sparser
        /// table only adds cache misses).
        static func slotCount(entryCount: Int) -> Int {
            var capacity = 2
            while capacity * 4 < entryCount * 5 { capacity <<= 1 }
            return capacity
        }

        /// Appends `slotCount(entryCount:)` slots, each the key and then its CTRs' bins, a byte
        /// each; returns the slot count.
        private mutating func addSlots(table: CTRTable, ctrs: [CTRFeature], slotWords: Int) -> Int {
            let capacity = Self.slotCount(entryCount: table.entryCount)
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
