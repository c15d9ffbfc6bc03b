extension CategoricalTransform {
    /// Which CTR tables become dense arrays indexed by category ids and split outcomes, instead
    /// of hashed slots, and the ids they need.
    ///
    /// A row then costs one id lookup per categorical feature and, per dense table, an index
    /// computed from small numbers into an array a fraction of the hashed layout's size (a byte
    /// per cell and CTR where a slot is 16 bytes, and no key to compare), so the tables that
    /// missed cache stop doing so. A table goes dense when every key has exactly one reading
    /// (`CTRKeyDecomposition`) over the categories the feature's single-feature tables hold, and
    /// the array is no larger than the hashed slots.
    ///
    /// Exactness: a row whose categories are all known reads the cell of its own reading, which is
    /// set exactly when its key is in the table (each key's reading is unique). A row with an
    /// unknown category reads "unseen"; the table could hold its key only if two different
    /// readings folded to the same 64-bit key, the same coincidence CatBoost's own 64-bit keys
    /// already accept.
    struct DensePlan {
        /// The ids of every categorical feature (index into `Ensemble.categoricalFeatures`) that
        /// some dense table reads.
        private(set) var ids: [Int: CategoryIDs] = [:]
        /// The readings of every dense table (index into `Ensemble.ctrTables`).
        private(set) var decompositions: [Int: CTRKeyDecomposition] = [:]

        /// - Parameter hashedBytes: the hashed layout's bytes for a table with that many CTRs.
        init(ensemble: Ensemble, ctrsByTable: [[Int]], hashedBytes: (CTRTable, Int) -> Int) {
            let used = ctrsByTable.indices.filter { !ctrsByTable[$0].isEmpty }
            var singles: [Int: CTRKeyDecomposition] = [:]
            var seen: [Int: Set<UInt32>] = [:]
            for index in used {
                let table = ensemble.ctrTables[index]
                guard table.combination.categoricalFeatures.count == 1,
                    let reading = Self.decompose(table, known: [nil])
                else { continue }
                singles[index] = reading
                seen[table.combination.categoricalFeatures[0], default: []].formUnion(reading.categories)
            }
            for index in used {
                let table = ensemble.ctrTables[index]
                let features = table.combination.categoricalFeatures
                let known = features.map { seen[$0] }
                guard !known.contains(where: { $0 == nil }),
                    let cells = Self.cellCount(cardinalities: known.map { $0!.count }, bitCount: Self.bitCount(of: table)),
                    cells.multipliedReportingOverflow(by: ctrsByTable[index].count).partialValue
                        <= hashedBytes(table, ctrsByTable[index].count),
                    let reading = singles[index] ?? Self.decompose(table, known: known)
                else { continue }
                decompositions[index] = reading
                for feature in features where ids[feature] == nil { ids[feature] = CategoryIDs(seen[feature]!) }
            }
        }

        static func bitCount(of table: CTRTable) -> Int {
            table.combination.floatSplits.count + table.combination.oneHotSplits.count
        }

        /// Cells of a dense table: every id of each part (unseen included) × every outcome
        /// pattern; nil past 2^31, so a cell index fits the 32-bit arithmetic rows use.
        static func cellCount(cardinalities: [Int], bitCount: Int) -> Int? {
            var cells = 1 << bitCount
            for cardinality in cardinalities {
                let (product, overflow) = cells.multipliedReportingOverflow(by: cardinality + 1)
                if overflow || product > 1 << 31 { return nil }
                cells = product
            }
            return cells
        }

        private static func decompose(_ table: CTRTable, known: [Set<UInt32>?]) -> CTRKeyDecomposition? {
            CTRKeyDecomposition(
                keys: table.keys, categoryCount: table.combination.categoricalFeatures.count,
                bitCount: bitCount(of: table), known: known)
        }
    }
}
