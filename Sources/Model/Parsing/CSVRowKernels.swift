// The CSV row parser's x86-64 kernels: where a line's commas are, and a field's digits as one
// number, by SSE2/SSSE3 byte operations reached through clang's intrinsics (with
// ShuffleKernel, the only intrinsics in Model). Other architectures parse rows field by field.
#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Bit `i` is set where `bytes[i]` is a comma, for the 64 bytes at `bytes` (all must be readable).
///
/// Knowing every field's end before reading its digits is what lets the fields of a row be
/// converted independently: found one after another, each field's start waited for the
/// previous field's digits to be counted.
@inline(__always)
func commaMask(_ bytes: UnsafePointer<UInt8>) -> UInt64 {
    let commas = _mm_set1_epi8(Int8(UInt8(ascii: ",")))
    @inline(__always) func bits(_ offset: Int) -> UInt64 {
        UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(_mm_cmpeq_epi8(load16(bytes + offset), commas))))
    }
    return bits(0) | bits(16) << 16 | bits(32) << 32 | bits(48) << 48
}

/// The unsigned decimal `digits[.digits]` (also `5.` and `.5`) filling the `length` bytes at
/// `start`, as its digits read as one integer and the count of those after the point; nil
/// when those bytes are anything else or `length` is not 1…15. 16 bytes at `start` must be
/// readable.
///
/// Branch-free but for the verdict: the point is found by a compare, the digits are moved
/// past it and to the end of a vector by one byte shuffle, and 16 digits become a number in
/// four multiply-adds (simdjson's and fast_float's eight-digit steps, twice over).
/// Bytes `plainDecimal` reads from a field's start, whatever the field's length: one vector.
let plainDecimalReadableBytes = 16

@inline(__always)
func plainDecimal(_ start: UnsafePointer<UInt8>, length: Int) -> (mantissa: UInt64, fractionDigitCount: Int)? {
    guard length &- 1 < 15 else { return nil }
    let digits = _mm_sub_epi8(load16(start), _mm_set1_epi8(Int8(UInt8(ascii: "0"))))
    // Lanes holding 0…9: there the saturating `digit - 9` is zero.
    let isDigit = _mm_cmpeq_epi8(_mm_subs_epu8(digits, _mm_set1_epi8(9)), _mm_setzero_si128())
    let inField = UInt32(1) &<< UInt32(length) &- 1
    let others = ~UInt32(truncatingIfNeeded: _mm_movemask_epi8(isDigit)) & inField
    // At most one non-digit, and it must be the point.
    guard others & (others &- 1) == 0 else { return nil }
    let pointCount = others == 0 ? 0 : 1
    let point = others == 0 ? length : others.trailingZeroBitCount
    guard others == 0 || start[point] == UInt8(ascii: ".") else { return nil }
    let digitCount = length &- pointCount
    guard digitCount > 0 else { return nil }
    // Output lane j takes digit k = j - (16 - digitCount), read from byte k, or k + 1 at and
    // after the point; lanes with k < 0 get a negative index, which the shuffle zeroes.
    let lanes = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    let digitIndex = _mm_sub_epi8(lanes, _mm_set1_epi8(Int8(truncatingIfNeeded: 16 &- digitCount)))
    let afterPoint = _mm_cmpgt_epi8(digitIndex, _mm_set1_epi8(Int8(truncatingIfNeeded: point &- 1)))
    let aligned = _mm_shuffle_epi8(digits, _mm_sub_epi8(digitIndex, afterPoint))
    // Pairs, fours, eights: the first eight digits end in lane 0, the last eight in lane 1.
    let pairs = _mm_maddubs_epi16(aligned, _mm_set1_epi16(0x010A))
    let fours = _mm_madd_epi16(pairs, _mm_set1_epi32(0x0001_0064))
    let eights = _mm_madd_epi16(_mm_packus_epi32(fours, fours), _mm_set1_epi32(0x0001_2710))
    let halves = UInt64(bitPattern: _mm_cvtsi128_si64(eights))
    let mantissa = (halves & 0xFFFF_FFFF) &* 100_000_000 &+ halves >> 32
    return (mantissa, length &- point &- pointCount)
}

@inline(__always)
private func load16(_ bytes: UnsafePointer<UInt8>) -> SIMD2<Int64> {
    unsafeBitCast(UnsafeRawPointer(bytes).loadUnaligned(as: SIMD16<UInt8>.self), to: SIMD2<Int64>.self)
}
#endif
