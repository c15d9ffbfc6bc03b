// Float-to-integer truncation of four lanes in one instruction (SSE2's cvttps2dq) on x86-64;
// elsewhere lane by lane. The standard library's vector conversion with a rounding rule is
// generic code (it took half of an ordered-statistics pass when tried), and scalar conversions
// check each lane's range.
#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Each lane truncated toward zero; lanes must be finite and within Int32 (callers' values are
/// CTR buckets, 0…255).
@inline(__always)
func truncatedLanes(_ value: SIMD4<Float>) -> SIMD4<Int32> {
    unsafeBitCast(_mm_cvttps_epi32(value), to: SIMD4<Int32>.self)
}
#else
@inline(__always)
func truncatedLanes(_ value: SIMD4<Float>) -> SIMD4<Int32> {
    SIMD4(Int32(value[0]), Int32(value[1]), Int32(value[2]), Int32(value[3]))
}
#endif
