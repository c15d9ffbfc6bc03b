/// xoshiro256** seeded by SplitMix64: small, fast, and its whole state is four words, so a
/// checkpoint can store it and a resumed run draws exactly the numbers the uninterrupted run
/// would have drawn.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// The `stream`-th of a family of independent generators drawn from one seed, so work split
    /// into pieces (bootstrap blocks, features) can draw concurrently and still reproducibly.
    init(seed: UInt64, stream: Int) {
        // Both multipliers are odd, so distinct streams get distinct seeds for any family seed.
        self.init(seed: (seed ^ UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15) &* 0xD1B5_4A32_D192_ED03)
    }

    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    /// Uniform in (0, 1]: never 0, so `log` of it is finite.
    public mutating func nextUnitInterval() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// Two independent standard normals (Marsaglia's polar method: one log and one square root
    /// per pair, no trigonometry), for drawing many at once.
    mutating func nextGaussianPair() -> (Double, Double) {
        while true {
            let u = 2 * nextUnitInterval() - 1
            let v = 2 * nextUnitInterval() - 1
            let s = u * u + v * v
            if s < 1, s > 0 {
                let scale = (-2 * s.logarithm / s).squareRoot()
                return (u * scale, v * scale)
            }
        }
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool {
        lhs.state == rhs.state
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }
}
