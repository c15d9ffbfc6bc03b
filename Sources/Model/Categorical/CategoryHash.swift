/// The 32-bit hash CatBoost gives a categorical value, and how such hashes ride in `Float` rows.
///
/// CatBoost's `CalcCatFeatureHash` (catboost/libs/cat_feature/cat_feature.cpp) is the low 32 bits
/// of CityHash64 over the value's bytes; its Python package passes strings as UTF-8 and turns an
/// `int` into its decimal text first (as its C API's `GetIntegerCatFeatureHash` does), so `7` and
/// `"7"` are the same category. Text is hashed as given: no trimming, no Unicode normalization,
/// no case folding.
///
/// Categorical columns travel through the same `[Float]` row buffers as numeric ones, holding the
/// hash's bit pattern (`storedValue`), as CatBoost's own `ConvertCatFeatureHashToFloat`
/// (cat_feature.h) carries them. Such a `Float` is a tag, not a number: 1 hash in 256 has the bit
/// pattern of a NaN or an infinity, and a NaN's payload may be altered by arithmetic or by
/// a round trip through `Double` (which quiets a signalling NaN, changing bit 22). Move these
/// values only by copying them, compare them by `bitPattern`, and never test them with `isNaN`.
public enum CategoryHash {
    /// The hash of a value given as its UTF-8 bytes (`package`: no unsafe pointer in Model's
    /// public API; `hash(_: String)` is the public spelling).
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(truncatingIfNeeded: CityHash64.hash(bytes))
    }

    /// The hash of a text value: CityHash64 of its UTF-8 bytes, low 32 bits.
    public static func hash(_ text: String) -> UInt32 {
        var text = text  // withUTF8 needs a mutable string; a native one is not copied
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The hash of an integer value, as CatBoost's Python package gives it: the hash of its
    /// decimal text (`-12` → `"-12"`).
    public static func hash(integer: Int64) -> UInt32 {
        // 19 digits and a sign hold Int64.min; the text is written backwards from the end.
        let capacity = 20
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var magnitude = integer.magnitude
            var start = capacity
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            if integer < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            return hash(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start...])))
        }
    }

    /// The `Float` a row buffer holds for a categorical value: the hash's bit pattern.
    @inline(__always)
    public static func storedValue(_ hash: UInt32) -> Float {
        Float(bitPattern: hash)
    }

    /// The hash a row buffer's `Float` holds for a categorical column (`storedValue`'s inverse).
    @inline(__always)
    public static func hash(storedIn value: Float) -> UInt32 {
        value.bitPattern
    }
}
