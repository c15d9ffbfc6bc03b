/// Google's CityHash64, version 1.0.x, bit for bit as CatBoost ships it in `util/digest/city.cpp`
/// (CityHash Version 1 by Geoff Pike and Jyrki Alakuijala, MIT licence), which CatBoost hashes
/// categorical values with.
///
/// CityHash 1.1 changed the function's results (new mixing in most length branches), so this is
/// not interchangeable with other "CityHash64" ports: it must stay 1.0.x, the version behind
/// every categorical hash in a CatBoost model file. Words are read little-endian wherever the bytes sit
/// (`loadUnaligned`), as CatBoost's `ReadUnaligned` does on the little-endian machines it runs
/// on; nothing is allocated, and each length branch reads only inside the buffer.
package enum CityHash64 {
    // Primes between 2^63 and 2^64 (city.cpp's k0…k3).
    static let k0: UInt64 = 0xC3A5_C85C_97CB_3127
    static let k1: UInt64 = 0xB492_B66F_BE98_F273
    static let k2: UInt64 = 0x9AE1_6A3B_2F90_404F
    static let k3: UInt64 = 0xC949_D7C7_509E_6557

    /// CityHash64 of the bytes.
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        // An empty buffer may have no base address; its hash reads nothing.
        guard let start = bytes.baseAddress, bytes.count > 0 else { return k2 }
        let count = bytes.count
        if count <= 16 { return hashLength0to16(start, count) }
        if count <= 32 { return hashLength17to32(start, count) }
        if count <= 64 { return hashLength33to64(start, count) }
        return hashLengthOver64(start, count)
    }

    /// 1…16 bytes: two overlapping words (9…16), two overlapping half-words (4…8), or the
    /// first, middle and last bytes (1…3).
    @inline(__always)
    static func hashLength0to16(_ s: UnsafeRawPointer, _ count: Int) -> UInt64 {
        let length = UInt64(truncatingIfNeeded: count)
        if count > 8 {
            let a = load64(s, 0)
            let b = load64(s, count &- 8)
            // city.cpp's RotateByAtLeast1: the length (9…16) is the rotation.
            return hashLength16(a, rotate(b &+ length, by: length)) ^ b
        }
        if count >= 4 {
            let a = UInt64(load32(s, 0))
            return hashLength16(length &+ (a &<< 3), UInt64(load32(s, count &- 4)))
        }
        if count > 0 {
            // Bytes are unsigned here (city.cpp converts each `char` to `uint8`), so bytes ≥ 0x80
            // are not sign-extended.
            let a = UInt32(s.load(fromByteOffset: 0, as: UInt8.self))
            let b = UInt32(s.load(fromByteOffset: count &>> 1, as: UInt8.self))
            let c = UInt32(s.load(fromByteOffset: count &- 1, as: UInt8.self))
            // 32-bit sums, as city.cpp's `uint32 y, z`, then widened for the 64-bit products.
            let y = UInt64(a &+ (b &<< 8))
            let z = UInt64(UInt32(truncatingIfNeeded: count) &+ (c &<< 2))
            return shiftMix((y &* k2) ^ (z &* k3)) &* k2
        }
        return k2
    }

    /// 17…32 bytes: four overlapping words.
    @inline(__always)
    static func hashLength17to32(_ s: UnsafeRawPointer, _ count: Int) -> UInt64 {
        let a = load64(s, 0) &* k1
        let b = load64(s, 8)
        let c = load64(s, count &- 8) &* k2
        let d = load64(s, count &- 16) &* k0
        return hashLength16(
            rotate(a &- b, by: 43) &+ rotate(c, by: 30) &+ d,
            a &+ rotate(b ^ k3, by: 20) &- c &+ UInt64(truncatingIfNeeded: count))
    }

    /// 33…64 bytes: the first and last 32 bytes, overlapping when shorter than 64.
    @inline(__always)
    static func hashLength33to64(_ s: UnsafeRawPointer, _ count: Int) -> UInt64 {
        let length = UInt64(truncatingIfNeeded: count)
        var z = load64(s, 24)
        var a = load64(s, 0) &+ (length &+ load64(s, count &- 16)) &* k0
        var b = rotate(a &+ z, by: 52)
        var c = rotate(a, by: 37)
        a &+= load64(s, 8)
        c &+= rotate(a, by: 7)
        a &+= load64(s, 16)
        let vf = a &+ z
        let vs = b &+ rotate(a, by: 31) &+ c
        a = load64(s, 16) &+ load64(s, count &- 32)
        z = load64(s, count &- 8)
        b = rotate(a &+ z, by: 52)
        c = rotate(a, by: 37)
        a &+= load64(s, count &- 24)
        c &+= rotate(a, by: 7)
        a &+= load64(s, count &- 16)
        let wf = a &+ z
        let ws = b &+ rotate(a, by: 31) &+ c
        let r = shiftMix((vf &+ ws) &* k2 &+ (wf &+ vs) &* k0)
        return shiftMix(r &* k0 &+ vs) &* k2
    }

    /// More than 64 bytes: the last 64 seed 56 bytes of state (v, w, x, y, z), then every
    /// 64-byte chunk from the start is mixed in; the chunk count is `(count - 1) / 64`, so the
    /// final partial (or whole) chunk is covered by the seeding only.
    @inline(__always)
    static func hashLengthOver64(_ s: UnsafeRawPointer, _ count: Int) -> UInt64 {
        let length = UInt64(truncatingIfNeeded: count)
        var x = load64(s, 0)
        var y = load64(s, count &- 16) ^ k1
        var z = load64(s, count &- 56) ^ k0
        var v = weakHashLength32(s + (count &- 64), seeds: length, y)
        var w = weakHashLength32(s + (count &- 32), seeds: length &* k1, k0)
        z &+= shiftMix(v.1) &* k1
        x = rotate(z &+ x, by: 39) &* k1
        y = rotate(y, by: 33) &* k1
        var chunk = s
        let chunkEnd = s + ((count &- 1) & ~63)
        repeat {
            x = rotate(x &+ y &+ v.0 &+ load64(chunk, 16), by: 37) &* k1
            y = rotate(y &+ v.1 &+ load64(chunk, 48), by: 42) &* k1
            x ^= w.1
            y ^= v.0
            z = rotate(z ^ w.0, by: 33)
            v = weakHashLength32(chunk, seeds: v.1 &* k1, x &+ w.0)
            w = weakHashLength32(chunk + 32, seeds: z &+ w.1, y)
            swap(&z, &x)
            chunk += 64
        } while chunk != chunkEnd
        return hashLength16(
            hashLength16(v.0, w.0) &+ shiftMix(y) &* k1 &+ z,
            hashLength16(v.1, w.1) &+ x)
    }

    /// city.cpp's WeakHashLen32WithSeeds: a quick 16-byte hash of 32 bytes at `s` and two seeds.
    @inline(__always)
    static func weakHashLength32(_ s: UnsafeRawPointer, seeds seedA: UInt64, _ seedB: UInt64) -> (UInt64, UInt64) {
        let w = load64(s, 0)
        let x = load64(s, 8)
        let y = load64(s, 16)
        let z = load64(s, 24)
        var a = seedA &+ w
        var b = rotate(seedB &+ a &+ z, by: 21)
        let c = a
        a &+= x
        a &+= y
        b &+= rotate(a, by: 44)
        return (a &+ z, b &+ c)
    }

    /// city.h's Hash128to64 (called HashLen16 in city.cpp): a Murmur-inspired mix of two words.
    @inline(__always)
    static func hashLength16(_ low: UInt64, _ high: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9DDF_EA08_EB38_2D69
        var a = (low ^ high) &* multiplier
        a ^= a &>> 47
        var b = (high ^ a) &* multiplier
        b ^= b &>> 47
        return b &* multiplier
    }

    @inline(__always)
    static func shiftMix(_ value: UInt64) -> UInt64 { value ^ (value &>> 47) }

    /// A right rotation; `by: 0` returns the value, as city.cpp's Rotate guards. Constant
    /// amounts compile to one `ror`.
    @inline(__always)
    static func rotate(_ value: UInt64, by shift: UInt64) -> UInt64 {
        // Masked shifts (`&>>`, `&<<`) make a rotation by 0 the identity without a branch.
        (value &>> shift) | (value &<< (64 &- shift))
    }

    @inline(__always)
    static func load64(_ s: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: s.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    static func load32(_ s: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: s.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
