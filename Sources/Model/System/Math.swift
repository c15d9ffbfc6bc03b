#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C math functions Model needs, reached through one file so evaluation code never imports
// Foundation.
@inline(__always) func _exp(_ x: Double) -> Double { exp(x) }
