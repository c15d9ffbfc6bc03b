/// The learn-set statistics of one `(combination, CTR type)` (CatBoost's `TCtrValueTable`):
/// for every key a row can have, `stride` int counts (per target class for Borders/Buckets, one
/// for Counter), or a (float sum, int count) pair for the target-mean types.
///
/// This is the table as files hold it; `CategoricalTransform` compiles it for scoring.
public struct CTRTable: Sendable, Hashable {
    /// The key CatBoost marks an empty bucket with; never a real key.
    public static let emptyKey = UInt64.max

    public var combination: FeatureCombination
    public var type: CTRType
    /// Counts per entry in `counts` (1 for Counter and the mean types).
    public var stride: Int
    /// Counter's `total` (CatBoost's `CounterDenominator`); 0 for the other types.
    public var counterDenominator: Int32
    /// The keys, ascending (a canonical order, so one model read from CatBoost JSON and from
    /// `.cbm` compares equal, and files we write are deterministic): entry `i` is key `keys[i]`.
    public private(set) var keys: [UInt64]
    /// `keys.count × stride` counts.
    public private(set) var counts: [Int32]
    /// Per entry, the target sum of the mean types; empty otherwise.
    public private(set) var sums: [Float]

    /// - Precondition: `counts.count == keys.count * stride`; `sums` empty or one per key; keys
    ///   distinct and never `emptyKey` (`validate()` reports violations found in files).
    public init(
        combination: FeatureCombination, type: CTRType, stride: Int, counterDenominator: Int32 = 0,
        keys: [UInt64], counts: [Int32], sums: [Float] = []
    ) {
        self.combination = combination
        self.type = type
        self.stride = stride
        self.counterDenominator = counterDenominator
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        self.keys = order.map { keys[$0] }
        self.counts = counts.count == keys.count * stride ? order.flatMap { counts[($0 * stride)..<(($0 + 1) * stride)] } : counts
        self.sums = sums.count == keys.count ? order.map { sums[$0] } : sums
    }

    public var entryCount: Int { keys.count }

    /// Bytes of its arrays.
    public var residentBytes: Int { keys.count * 8 + counts.count * 4 + sums.count * 4 }

    /// The structural checks a table read from a file must pass.
    public func validate(context: String) throws(ModelError) {
        guard stride >= 1, stride <= 1 << 16 else { throw .invalid("\(context): \(stride) counts per entry") }
        guard counts.count == keys.count * stride else {
            throw .invalid("\(context): \(counts.count) counts for \(keys.count) keys × \(stride)")
        }
        guard sums.isEmpty || sums.count == keys.count else {
            throw .invalid("\(context): \(sums.count) sums for \(keys.count) keys")
        }
        guard type.storesMeanHistory == !sums.isEmpty || keys.isEmpty else {
            throw .invalid("\(context): a \(type.catBoostName) table \(sums.isEmpty ? "without" : "with") target sums")
        }
        var seen = Set<UInt64>(minimumCapacity: keys.count)
        for key in keys {
            guard key != Self.emptyKey, seen.insert(key).inserted else {
                throw .invalid("\(context): key \(key) is \(key == Self.emptyKey ? "reserved" : "repeated")")
            }
        }
    }
}
