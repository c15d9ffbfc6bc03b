#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The libm functions the trainer needs, reached through one funnel so no other file imports Glibc.
extension Double {
    @inline(__always) var logarithm: Double { log(self) }
    @inline(__always) var exponential: Double { exp(self) }
    @inline(__always) func power(_ exponent: Double) -> Double { pow(self, exponent) }
    @inline(__always) var hyperbolicTangent: Double { tanh(self) }
}

extension Double {
    /// `self` where `condition` holds, else 0, through a bit mask: the compiler turns a plain
    /// `condition ? self : 0` into a branch, which mispredicts half the time on coin-flip data.
    @inline(__always) func kept(if condition: Bool) -> Double {
        let mask = UInt64(0) &- UInt64(unsafeBitCast(condition, to: UInt8.self))
        return Double(bitPattern: bitPattern & mask)
    }
}
