extension FeatureCombination {
    /// CatBoost's key fold is linear: `mix(h, v) = M·h + M²·v` mod 2^64, so the key of operands
    /// `v₀ … vₙ₋₁` (in `CalcHashes` order) is `Σ cᵢ·vᵢ` with `cᵢ = M^(n−i+1)`. These are the `cᵢ`,
    /// found by folding unit vectors with `mix` itself, so they cannot drift from it.
    public static func keyCoefficients(operandCount: Int) -> [UInt64] {
        (0..<operandCount).map { position in
            (0..<operandCount).reduce(UInt64(0)) { key, operand in mix(key, operand == position ? 1 : 0) }
        }
    }

    /// The inverse of an odd number modulo 2^64 (every key coefficient is odd, a power of the odd
    /// multiplier), by Newton's iteration: each step doubles the correct low bits (3 → 96).
    public static func inverse(ofOdd value: UInt64) -> UInt64 {
        precondition(value & 1 == 1, "only odd numbers are invertible modulo 2^64")
        var inverse = value  // correct to 3 bits: v·v ≡ 1 (mod 8) for odd v
        for _ in 0..<5 { inverse = inverse &* (2 &- value &* inverse) }
        return inverse
    }
}
