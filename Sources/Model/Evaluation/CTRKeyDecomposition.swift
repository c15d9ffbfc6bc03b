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
        let readings = enumerated.reduce(max(keys.count, 1) << bitCount) { product, values in
            let (next, overflow) = product.multipliedReportingOverflow(by: values.count)
            return overflow ? Int.max : next
        }
        guard readings <= Self.candidateBudget, !enumerated.contains(where: \.isEmpty) else { return nil }
        self.categoryCount = categoryCount
        categories = []
        patterns = []
        categories.reserveCapacity(keys.count * categoryCount)
        patterns.reserveCapacity(keys.count)
        let search = Search(
            coefficients: coefficients, categoryCount: categoryCount, bitCount: bitCount, solved: solved,
            enumerated: enumerated, solvedSet: known[solved].map(CategoryIDs.init))
        var choice = [Int](repeating: 0, count: enumerated.count)
        for key in keys {
            guard let (category, pattern) = search.onlyReading(of: key, choice: &choice) else { return nil }
            for part in 0..<categoryCount {
                // `enumerated` and `choice` skip the solved part.
                let slot = part < solved ? part : part - 1
                categories.append(part == solved ? category : enumerated[slot][choice[slot]])
            }
            patterns.append(pattern)
        }
    }

    /// The search for one key's readings, its per-table constants computed once.
    private struct Search {
        let solvedInverse: UInt64
        /// Per enumerated part, each value's term `cᵢ·vᵢ` of the key.
        let terms: [[UInt64]]
        /// Per outcome pattern, the sum of its set bits' coefficients.
        let patternTerms: [UInt64]
        let solvedSet: CategoryIDs?

        init(
            coefficients: [UInt64], categoryCount: Int, bitCount: Int, solved: Int, enumerated: [[UInt32]],
            solvedSet: CategoryIDs?
        ) {
            solvedInverse = FeatureCombination.inverse(ofOdd: coefficients[solved])
            let parts = (0..<categoryCount).filter { $0 != solved }
            terms = zip(parts, enumerated).map { part, values in
                values.map { coefficients[part] &* UInt64(bitPattern: Int64(Int32(bitPattern: $0))) }
            }
            patternTerms = (0..<(1 << bitCount)).map { pattern in
                (0..<bitCount).reduce(UInt64(0)) { pattern >> $1 & 1 == 1 ? $0 &+ coefficients[categoryCount + $1] : $0 }
            }
            self.solvedSet = solvedSet
        }

        /// The solved part's category and the pattern when the key has exactly one reading; the
        /// enumerated parts' value indexes are left in `choice`.
        func onlyReading(of key: UInt64, choice: inout [Int]) -> (category: UInt32, pattern: UInt32)? {
            var found: (category: UInt32, pattern: UInt32, choice: [Int])?
            for index in choice.indices { choice[index] = 0 }
            repeat {
                var rest = key
                for (part, index) in choice.enumerated() { rest &-= terms[part][index] }
                for (pattern, patternTerm) in patternTerms.enumerated() {
                    let value = (rest &- patternTerm) &* solvedInverse
                    let category = UInt32(truncatingIfNeeded: value)
                    guard value == UInt64(bitPattern: Int64(Int32(bitPattern: category))),
                        solvedSet.map({ $0.contains(category) }) ?? true
                    else { continue }
                    if found != nil { return nil }
                    found = (category, UInt32(pattern), choice)
                }
            } while Self.advance(&choice, limits: terms)
            guard let found else { return nil }
            choice = found.choice
            return (found.category, found.pattern)
        }

        /// The next choice of enumerated values (odometer order); false after the last.
        private static func advance(_ choice: inout [Int], limits: [[UInt64]]) -> Bool {
            for index in choice.indices {
                choice[index] += 1
                if choice[index] < limits[index].count { return true }
                choice[index] = 0
            }
            return false
        }
    }
}
