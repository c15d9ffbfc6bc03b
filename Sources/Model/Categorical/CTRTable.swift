/// The learn-set statistics of one `(combination, CTR type)` (CatBoost's `TCtrValueTable`):
/// for every key a row can have, `stride` int counts (per target class for Borders/Buckets, one
/// for Counter), or a (float sum, int count) pair for the target-mean types.
///
/// Keys are found by open addressing with linear probing on the key's low bits, as CatBoost's
/// `TDenseIndexHashView::GetIndex` (`catboost/libs/helpers/dense_hash_view.h`) does; keys are
/// already well mixed (`FeatureCombination.mix`), so the low bits spread them.
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
    /// Open-addressing slots: `slotKeys[s]` (or `emptyKey`) and its entry `slotEntries[s]`.
    private var slotKeys: [UInt64]
    private var slotEntries: [UInt32]

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
        // At most half full, so an absent key's probe ends within a couple of slots.
        var capacity = 2
        while capacity < keys.count * 2 { capacity <<= 1 }
        slotKeys = [UInt64](repeating: Self.emptyKey, count: capacity)
        slotEntries = [UInt32](repeating: 0, count: capacity)
        let mask = UInt64(capacity - 1)
        for (entry, key) in self.keys.enumerated() where key != Self.emptyKey {
            var slot = Int(key & mask)
            while slotKeys[slot] != Self.emptyKey && slotKeys[slot] != key { slot = (slot + 1) & Int(mask) }
            slotKeys[slot] = key
            slotEntries[slot] = UInt32(entry)
        }
    }

    public var entryCount: Int { keys.count }

    /// The entry of `key`, or nil when the learn set never had it.
    @inline(__always)
    public func entry(for key: UInt64) -> Int? {
        slotKeys.withUnsafeBufferPointer { slotKeys in
            let mask = slotKeys.count - 1
            var slot = Int(truncatingIfNeeded: key) & mask
            while true {
                let found = slotKeys[slot]
                if found == key { return Int(slotEntries[slot]) }
                if found == Self.emptyKey { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Bytes held in memory: entries and slots.
    public var residentBytes: Int {
        keys.count * 8 + counts.count * 4 + sums.count * 4 + slotKeys.count * 12
    }

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
