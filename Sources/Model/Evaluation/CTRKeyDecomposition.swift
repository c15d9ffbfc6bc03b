/// The categories and split outcomes each key of a CTR table was folded from, recovered from the
/// keys alone: the fold is linear (`FeatureCombination.keyCoefficients`) with odd coefficients,
/// so once the outcome pattern and all categories but one are fixed, the last category is the
/// remainder times an inverse. A real category is a 32-bit hash stored sign-extended; a wrong
/// guess leaves a random 64-bit value, which looks sign-extended with probability 2^−31.
///
/// The result is used only when every key has exactly one reading, so a table is either read
/// exactly or left to the hashed layout.
struct CTRKeyDecomposition {
    /// Categorical parts per key (the combination's categorical features, in order).
    let categoryCount: Int
    /// `entryCount × categoryCount` hashes, entry-major.
    private(set) var categories: [UInt32]
    /// Per entry, its binary operands' outcomes: bit `j` is operand `categoryCount + j`.
    private(set) var patterns: [UInt32]

    /// How many candidate readings one table may try before it is left hashed: keeps loading a
    /// model with many high-cardinality combinations fast.
    static let candidateBudget = 1 << 22

    /// Reads every key of `table`, whose combination has `categoryCount` categorical parts first
    /// and `bitCount` binary parts after them. `known[i]` is the set of hashes the `i`-th
    /// categorical part can take (`nil`: unknown). With one categorical part it may be unknown;
    /// with several all must be known. Nil when a key has no reading or several, or the search
    /// would exceed the budget.
    init?(keys: [UInt64], categoryCount: Int, bitCount: Int, known: [Set<UInt32>?]) {
        precondition(known.count == categoryCount && categoryCount >= 1 && bitCount < 32)
        let coefficients = FeatureCombination.keyCoefficients(operandCount: categoryCount + bitCount)
        if categoryCount > 1, known.contains(where: { $0 == nil }) { return nil }
        let solved = categoryCount == 1 ? 0 : known.indices.max { known[$0]!.count < known[$1]!.count }!
        let enumerated = known.indices.filter { $0 != solved }.map { Array(known[$0]!) }
        let readingsPerKey = enumerated.reduce(1 << bitCount) { $0 * $1.count }
        guard readingsPerKey.multipliedReportingOverflow(by: max(keys.count, 1)).partialValue <= Self.candidateBudget,
            !enumerated.contains(where: \.isEmpty)
        else { return nil }
        self.categoryCount = categoryCount
        categories = []
        patterns = []
        categories.reserveCapacity(keys.count * categoryCount)
        patterns.reserveCapacity(keys.count)
        let search = Search(
            coefficients: coefficients, categoryCount: categoryCount, bitCount: bitCount, solved: solved,
            enumerated: enumerated, solvedSet: known[solved])
        for key in keys {
            guard let reading = search.onlyReading(of: key) else { return nil }
            categories += reading.categories
            patterns.append(reading.pattern)
        }
    }

    /// The search for one key's readings.
    private struct Search {
        let coefficients: [UInt64]
        let categoryCount: Int
        let bitCount: Int
        /// The categorical part solved for; the others take every value of `enumerated`.
        let solved: Int
        let enumerated: [[UInt32]]
        let solvedSet: Set<UInt32>?

        /// The key's reading when it has exactly one.
        func onlyReading(of key: UInt64) -> (categories: [UInt32], pattern: UInt32)? {
            let solvedInverse = FeatureCombination.inverse(ofOdd: coefficients[solved])
            var found: (categories: [UInt32], pattern: UInt32)?
            var choice = [Int](repeating: 0, count: enumerated.count)
            repeat {
                var categories = [UInt32](repeating: 0, count: categoryCount)
                var rest = key
                for (slot, part) in (0..<categoryCount).filter({ $0 != solved }).enumerated() {
                    categories[part] = enumerated[slot][choice[slot]]
                    rest &-= coefficients[part] &* UInt64(bitPattern: Int64(Int32(bitPattern: categories[part])))
                }
                for pattern in 0..<(UInt32(1) << bitCount) {
                    var remainder = rest
                    for bit in 0..<bitCount where pattern >> bit & 1 == 1 { remainder &-= coefficients[categoryCount + bit] }
                    let value = remainder &* solvedInverse
                    let category = UInt32(truncatingIfNeeded: value)
                    guard value == UInt64(bitPattern: Int64(Int32(bitPattern: category))),
                        solvedSet?.contains(category) ?? true
                    else { continue }
                    if found != nil { return nil }
                    categories[solved] = category
                    found = (categories, pattern)
                }
            } while Self.advance(&choice, limits: enumerated.map(\.count))
            return found
        }

        /// The next choice of enumerated values (odometer order); false after the last.
        private static func advance(_ choice: inout [Int], limits: [Int]) -> Bool {
            for index in choice.indices {
                choice[index] += 1
                if choice[index] < limits[index] { return true }
                choice[index] = 0
            }
            return false
        }
    }
}
