/// CityHash64 v1.0.x written the plain way, to check the fast one against: bytes in an array,
/// words assembled one byte at a time (so no load can be misaligned or read past the end
/// unnoticed, as an array subscript traps), state in named variables following
/// util/digest/city.cpp in catboost/catboost line by line, with no shared helpers from Model.
enum ReferenceCityHash64 {
    static let k0: UInt64 = 0xc3a5c85c97cb3127
    static let k1: UInt64 = 0xb492b66fbe98f273
    static let k2: UInt64 = 0x9ae16a3b2f90404f
    static let k3: UInt64 = 0xc949d7c7509e6557

    static func hash(_ s: [UInt8]) -> UInt64 {
        let len = s.count
        if len <= 16 { return hashLen0to16(s) }
        if len <= 32 { return hashLen17to32(s) }
        if len <= 64 { return hashLen33to64(s) }
        return hashLenOver64(s)
    }

    static func fetch(_ s: [UInt8], _ offset: Int, byteCount: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in stride(from: byteCount - 1, through: 0, by: -1) {
            word = word << 8 | UInt64(s[offset + index])
        }
        return word
    }

    static func fetch64(_ s: [UInt8], _ offset: Int) -> UInt64 { fetch(s, offset, byteCount: 8) }
    static func fetch32(_ s: [UInt8], _ offset: Int) -> UInt64 { fetch(s, offset, byteCount: 4) }

    static func rotate(_ value: UInt64, _ shift: Int) -> UInt64 {
        shift == 0 ? value : (value >> UInt64(shift)) | (value << UInt64(64 - shift))
    }

    static func shiftMix(_ value: UInt64) -> UInt64 { value ^ (value >> 47) }

    static func hashLen16(_ u: UInt64, _ v: UInt64) -> UInt64 {
        let kMul: UInt64 = 0x9ddfea08eb382d69
        var a = (u ^ v) &* kMul
        a ^= (a >> 47)
        var b = (v ^ a) &* kMul
        b ^= (b >> 47)
        b = b &* kMul
        return b
    }

    static func hashLen0to16(_ s: [UInt8]) -> UInt64 {
        let len = s.count
        if len > 8 {
            let a = fetch64(s, 0)
            let b = fetch64(s, len - 8)
            return hashLen16(a, rotate(b &+ UInt64(len), len)) ^ b
        }
        if len >= 4 {
            let a = fetch32(s, 0)
            return hashLen16(UInt64(len) &+ (a << 3), fetch32(s, len - 4))
        }
        if len > 0 {
            let a = UInt32(s[0])
            let b = UInt32(s[len >> 1])
            let c = UInt32(s[len - 1])
            let y: UInt32 = a &+ (b << 8)
            let z: UInt32 = UInt32(len) &+ (c << 2)
            return shiftMix((UInt64(y) &* k2) ^ (UInt64(z) &* k3)) &* k2
        }
        return k2
    }

    static func hashLen17to32(_ s: [UInt8]) -> UInt64 {
        let len = s.count
        let a = fetch64(s, 0) &* k1
        let b = fetch64(s, 8)
        let c = fetch64(s, len - 8) &* k2
        let d = fetch64(s, len - 16) &* k0
        return hashLen16(
            rotate(a &- b, 43) &+ rotate(c, 30) &+ d,
            a &+ rotate(b ^ k3, 20) &- c &+ UInt64(len))
    }

    static func weakHashLen32WithSeeds(_ s: [UInt8], _ offset: Int, _ seedA: UInt64, _ seedB: UInt64) -> (UInt64, UInt64) {
        let w = fetch64(s, offset)
        let x = fetch64(s, offset + 8)
        let y = fetch64(s, offset + 16)
        let z = fetch64(s, offset + 24)
        var a = seedA
        var b = seedB
        a = a &+ w
        b = rotate(b &+ a &+ z, 21)
        let c = a
        a = a &+ x
        a = a &+ y
        b = b &+ rotate(a, 44)
        return (a &+ z, b &+ c)
    }

    static func hashLen33to64(_ s: [UInt8]) -> UInt64 {
        let len = s.count
        var z = fetch64(s, 24)
        var a = fetch64(s, 0) &+ (UInt64(len) &+ fetch64(s, len - 16)) &* k0
        var b = rotate(a &+ z, 52)
        var c = rotate(a, 37)
        a = a &+ fetch64(s, 8)
        c = c &+ rotate(a, 7)
        a = a &+ fetch64(s, 16)
        let vf = a &+ z
        let vs = b &+ rotate(a, 31) &+ c
        a = fetch64(s, 16) &+ fetch64(s, len - 32)
        z = fetch64(s, len - 8)
        b = rotate(a &+ z, 52)
        c = rotate(a, 37)
        a = a &+ fetch64(s, len - 24)
        c = c &+ rotate(a, 7)
        a = a &+ fetch64(s, len - 16)
        let wf = a &+ z
        let ws = b &+ rotate(a, 31) &+ c
        let r = shiftMix((vf &+ ws) &* k2 &+ (wf &+ vs) &* k0)
        return shiftMix(r &* k0 &+ vs) &* k2
    }

    static func hashLenOver64(_ s: [UInt8]) -> UInt64 {
        var len = s.count
        var x = fetch64(s, 0)
        var y = fetch64(s, len - 16) ^ k1
        var z = fetch64(s, len - 56) ^ k0
        var v = weakHashLen32WithSeeds(s, len - 64, UInt64(len), y)
        var w = weakHashLen32WithSeeds(s, len - 32, UInt64(len) &* k1, k0)
        z = z &+ shiftMix(v.1) &* k1
        x = rotate(z &+ x, 39) &* k1
        y = rotate(y, 33) &* k1
        len = (len - 1) & ~63
        var offset = 0
        repeat {
            x = rotate(x &+ y &+ v.0 &+ fetch64(s, offset + 16), 37) &* k1
            y = rotate(y &+ v.1 &+ fetch64(s, offset + 48), 42) &* k1
            x ^= w.1
            y ^= v.0
            z = rotate(z ^ w.0, 33)
            v = weakHashLen32WithSeeds(s, offset, v.1 &* k1, x &+ w.0)
            w = weakHashLen32WithSeeds(s, offset + 32, z &+ w.1, y)
            let swapped = z
            z = x
            x = swapped
            offset += 64
            len -= 64
        } while len != 0
        return hashLen16(
            hashLen16(v.0, w.0) &+ shiftMix(y) &* k1 &+ z,
            hashLen16(v.1, w.1) &+ x)
    }
}
