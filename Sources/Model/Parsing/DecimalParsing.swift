#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal text into `Double`, correctly rounded, without Foundation.
///
/// Most feature values in CSV and JSON bodies have ≤ 15 significant digits and small exponents;
/// those take Clinger's exact fast path (an integer mantissa times or divided by an exactly
/// representable power of ten). Everything else goes to `strtod`, which rounds correctly.
package enum DecimalParsing {

    /// 10^0…10^22 in memory, for a load instead of `exactPowerOfTen`'s jump table in loops:
    /// its indirect jump mispredicted whenever consecutive CSV fields had different fraction
    /// lengths. A pointer, not an array, so reading it is neither a retain nor a release.
    nonisolated(unsafe) package static let exactPowersOfTen: UnsafePointer<Double> = {
        let table = UnsafeMutablePointer<Double>.allocate(capacity: 23)
        for exponent in 0...22 { table[exponent] = exactPowerOfTen(exponent) }
        return UnsafePointer(table)
    }()

    /// 10^exponent for 0…22, all exactly representable. A switch of constants becomes a table in
    /// read-only data; indexing the static array instead cost a retain/release per call.
    @inline(__always)
    static func exactPowerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A number in JSON/CSV syntax: `[+-]digits[.digits][(e|E)[+-]digits]` (also `.5` and `5.`),
    /// or nil when the bytes are anything else.
    @inline(__always)
    package static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let count = bytes.count
        guard count > 0 else { return nil }
        var position = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            position = 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var digitCount = 0
        var exponent = 0
        while position < count, bytes[position] &- 48 < 10 {
            let digit = UInt64(bytes[position] &- 48)
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significantDigits += 1 }
            } else {
                exponent += 1
            }
            digitCount += 1
            position += 1
        }
        if position < count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < count, bytes[position] &- 48 < 10 {
                let digit = UInt64(bytes[position] &- 48)
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { significantDigits += 1 }
                    exponent -= 1
                }
                digitCount += 1
                position += 1
            }
        }
        guard digitCount > 0 else { return nil }
        if position < count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            var exponentNegative = false
            if position < count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            var explicitExponent = 0
            var exponentDigits = 0
            while position < count, bytes[position] &- 48 < 10 {
                if explicitExponent < 100_000 { explicitExponent = explicitExponent * 10 + Int(bytes[position] &- 48) }
                exponentDigits += 1
                position += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -explicitExponent : explicitExponent
        }
        guard position == count else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Clinger's fast path: both operands exact, so the one rounding is correct.
        if significantDigits <= 15, exponent >= -22, exponent <= 22, mantissa < 1 << 53 {
            var value = Double(mantissa)
            if exponent < 0 { value /= exactPowerOfTen(-exponent) } else { value *= exactPowerOfTen(exponent) }
            return negative ? -value : value
        }
        return parseWithStrtod(bytes)
    }

    /// `nan`, `inf`, `infinity` in any case, with an optional sign; nil otherwise.
    @inline(__always)
    package static func parseSpecial(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var position = 0
        var negative = false
        if bytes.count > 0, bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            position = 1
        }
        let rest = bytes.count - position
        func matches(_ word: StaticString) -> Bool {
            guard rest == word.utf8CodeUnitCount else { return false }
            for index in 0..<rest where bytes[position + index] | 0x20 != word.utf8Start[index] {
                return false
            }
            return true
        }
        if matches("nan") { return .nan }
        if matches("inf") || matches("infinity") { return negative ? -.infinity : .infinity }
        return nil
    }

    private static func parseWithStrtod(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for index in 0..<bytes.count { buffer[index] = CChar(bitPattern: bytes[index]) }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == bytes.count else { return nil }
            return value
        }
    }
}
