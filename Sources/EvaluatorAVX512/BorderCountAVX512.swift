// The batch evaluator's quantization for CPUs with AVX-512 F/BW (see TreePassAVX512.swift for
// how the module is built and chosen).
#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Counts, for one 128-row block column, the borders each value exceeds, by descending a
/// bucket's binary search levels (Model's `BorderSearchLevels`: level k's 2^k borders, padded to
/// at least 16 floats) 16 rows at a time. Each byte of `output` is `count + countBias` (Model's
/// blocks use -128, for signed compares).
///
/// A level's borders are looked up in registers: `vpermps` picks from 16, `vpermt2ps` from 32,
/// and levels of 64 and 128 borders choose among two or four such picks by the node's high
/// bits; a row's compare then adds its bit to the node index.
@inline(never)
public func countBordersBelowAVX512(
    column: UnsafePointer<Float>, levels: UnsafePointer<Float>, levelCount: Int, countBias: Int32,
    into output: UnsafeMutablePointer<UInt8>
) {
    precondition(levelCount <= 8, "at most 255 borders a bucket")
    withUnsafeTemporaryAllocation(of: SIMD16<Int32>.self, capacity: 8) { nodes in
        nodes.initialize(repeating: SIMD16<Int32>())
        var table = levels
        for level in 0..<levelCount {
            switch level {
            case 0...4:
                let t0 = load(table)
                descend(column: column, nodes: nodes) { node in _mm512_permutexvar_ps(node, t0) }
            case 5:
                let (t0, t1) = (load(table), load(table + 16))
                descend(column: column, nodes: nodes) { node in _mm512_permutex2var_ps(t0, node, t1) }
            case 6:
                let (t0, t1, t2, t3) = (load(table), load(table + 16), load(table + 32), load(table + 48))
                let bit5 = _mm512_set1_epi32(32)
                descend(column: column, nodes: nodes) { node in
                    _mm512_mask_blend_ps(
                        _mm512_test_epi32_mask(node, bit5), _mm512_permutex2var_ps(t0, node, t1),
                        _mm512_permutex2var_ps(t2, node, t3))
                }
            default:
                let (t0, t1, t2, t3) = (load(table), load(table + 16), load(table + 32), load(table + 48))
                let (t4, t5, t6, t7) = (load(table + 64), load(table + 80), load(table + 96), load(table + 112))
                let (bit5, bit6) = (_mm512_set1_epi32(32), _mm512_set1_epi32(64))
                descend(column: column, nodes: nodes) { node in
                    let upper32 = _mm512_test_epi32_mask(node, bit5)
                    let low = _mm512_mask_blend_ps(
                        upper32, _mm512_permutex2var_ps(t0, node, t1), _mm512_permutex2var_ps(t2, node, t3))
                    let high = _mm512_mask_blend_ps(
                        upper32, _mm512_permutex2var_ps(t4, node, t5), _mm512_permutex2var_ps(t6, node, t7))
                    return _mm512_mask_blend_ps(_mm512_test_epi32_mask(node, bit6), low, high)
                }
            }
            table += max(16, 1 &<< level)
        }
        let bias = SIMD16<Int32>(repeating: countBias)
        for chunk in 0..<8 {
            UnsafeMutableRawPointer(output + chunk &* 16).storeBytes(
                of: SIMD16<UInt8>(truncatingIfNeeded: nodes[chunk] &+ bias), as: SIMD16<UInt8>.self)
        }
    }
}

@inline(__always)
private func load(_ floats: UnsafePointer<Float>) -> __m512 {
    _mm512_loadu_ps(UnsafeRawPointer(floats))
}

/// One level for the block's eight 16-row chunks: each row's node j becomes 2j + (value > border),
/// `border(nodes)` giving each lane's node's border.
@inline(__always)
private func descend(
    column: UnsafePointer<Float>, nodes: UnsafeMutableBufferPointer<SIMD16<Int32>>, _ border: (__m512i) -> __m512
) {
    let raw = UnsafeRawPointer(column)
    for chunk in 0..<8 {
        let node = nodes[chunk]
        let values = raw.loadUnaligned(fromByteOffset: chunk &* 64, as: SIMD16<Float>.self)
        let borders = border(unsafeBitCast(node, to: __m512i.self))
        // A true lane's mask is -1: subtracting it adds the row's bit.
        nodes[chunk] = node &+ node &- unsafeBitCast(values .> borders, to: SIMD16<Int32>.self)
    }
}
#endif
