/// Reads the commonest CSV feature spelling, `[digits][.digits]` with at most 7 digits on each
/// side of the point, eight bytes at a time instead of a branch per digit.
///
/// The 8-byte tricks are fast_float's (Lemire): a byte is flagged as a non-digit when
/// subtracting `0x30` or adding `0x46` sets its high bit, and eight digits become a number in
/// three multiplications. Borrows and carries only travel toward later bytes, so everything
/// before the first flagged byte is exact. Anything else (exponents, long mantissas, a leading
/// point) is left to the per-digit parser, which gives the same value for what both accept.
enum ShortDecimalScanner {
    /// Bytes that must be readable from the scan's start: two 8-byte loads, the second starting
    /// at most 8 bytes in.
    static let readableBytesMin = 16

    /// The number at `start` as an integer mantissa, its count of fraction digits and its
    /// length in bytes; nil when the text is not 1–7 digits, optionally followed by a point and
    /// 0–7 digits. The byte after the number is not checked: the caller knows its separators.
    @inline(__always)
    static func scan(_ start: UnsafePointer<UInt8>) -> (mantissa: UInt64, fractionDigitCount: Int, length: Int)? {
        let raw = UnsafeRawPointer(start)
        let integerWord = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let integerDigitCount = leadingDigitCount(integerWord)
        guard integerDigitCount > 0, integerDigitCount < 8 else { return nil }
        let integerPart = value(of: integerWord, digitCount: integerDigitCount)
        guard start[integerDigitCount] == UInt8(ascii: ".") else { return (integerPart, 0, integerDigitCount) }
        let fractionWord = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: integerDigitCount + 1, as: UInt64.self))
        let fractionDigitCount = leadingDigitCount(fractionWord)
        guard fractionDigitCount < 8 else { return nil }
        let mantissa = integerPart &* powerOfTen(fractionDigitCount) &+ value(of: fractionWord, digitCount: fractionDigitCount)
        return (mantissa, fractionDigitCount, integerDigitCount + 1 + fractionDigitCount)
    }

    /// How many of the word's bytes, from its first (lowest) one, are ASCII digits (0…8).
    @inline(__always)
    static func leadingDigitCount(_ word: UInt64) -> Int {
        let flags = ((word &- 0x3030_3030_3030_3030) | (word &+ 0x4646_4646_4646_4646)) & 0x8080_8080_8080_8080
        return flags == 0 ? 8 : flags.trailingZeroBitCount >> 3
    }

    /// The decimal value of the word's first `digitCount` (0…8) bytes, which must be digits.
    @inline(__always)
    static func value(of word: UInt64, digitCount: Int) -> UInt64 {
        // The digits move to the top bytes (the low ones become leading zeros); a shift by 64
        // (no digits) gives 0.
        var digits = (word &- 0x3030_3030_3030_3030) << UInt64(8 * (8 - digitCount))
        digits = digits &* 10 &+ (digits >> 8)
        let pairMask: UInt64 = 0x0000_00FF_0000_00FF
        let high: UInt64 = (digits & pairMask) &* (100 + (1_000_000 << 32))
        let low: UInt64 = ((digits >> 16) & pairMask) &* (1 + (10_000 << 32))
        return (high &+ low) >> 32
    }

    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        default: 10_000_000
        }
    }
}
