/// The categories one categorical feature took in the learn set, numbered `0 ..< count` in hash
/// order, as an open-addressing table a row's hash is looked up in once; any other hash is
/// `count` ("unseen"). `CategoricalTransform` indexes dense CTR tables by these numbers.
struct CategoryIDs: Sendable {
    /// The hashes, ascending: hash `hashes[i]` is id `i`.
    let hashes: [UInt32]
    /// Power-of-two slots at most half full, each `hash << 32 | (id + 1)`; 0 is empty.
    let slots: [UInt64]

    init(_ seen: Set<UInt32>) {
        hashes = seen.sorted()
        var capacity = 2
        while capacity < hashes.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        for (id, hash) in hashes.enumerated() {
            var slot = Self.home(of: hash, mask: capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = UInt64(hash) << 32 | UInt64(id + 1)
        }
        self.slots = slots
    }

    var count: Int { hashes.count }

    /// The id of a hash, `count` when the learn set never had it: a plain lookup, the judge of
    /// the transform's flat copy of `slots`.
    func id(of hash: UInt32) -> Int {
        var low = 0, high = hashes.count
        while low < high {
            let middle = (low + high) / 2
            if hashes[middle] < hash { low = middle + 1 } else { high = middle }
        }
        return low < hashes.count && hashes[low] == hash ? low : hashes.count
    }

    /// Whether the learn set had `hash`, by the slots (the fast path of `id(of:)`).
    func contains(_ hash: UInt32) -> Bool {
        Self.probe(hash, mask: slots.count - 1) { slots[$0] } != 0
    }

    /// The slot word holding `hash` (`hash << 32 | (id + 1)`), or 0 when it is absent, in slots
    /// laid out as `slots` (`mask + 1` of them) and read through `slot` (the transform keeps a
    /// flat copy of every feature's slots).
    @inline(__always)
    static func probe(_ hash: UInt32, mask: Int, slot word: (Int) -> UInt64) -> UInt64 {
        var slot = home(of: hash, mask: mask)
        while true {
            let found = word(slot)
            if found == 0 || UInt32(truncatingIfNeeded: found >> 32) == hash { return found }
            slot = (slot + 1) & mask
        }
    }

    /// The slot a hash's search starts at (Fibonacci hashing: the multiply spreads hashes that
    /// share low bits).
    @inline(__always)
    static func home(of hash: UInt32, mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(hash) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}
