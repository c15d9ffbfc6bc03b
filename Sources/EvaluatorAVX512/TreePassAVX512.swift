// The batch evaluator's tree pass for CPUs with AVX-512 F/BW (Skylake-SP and later, Zen 4),
// built for `-target-cpu skylake-avx512` (Package.swift) and called only when Model's
// `InstructionLevel` found those features. Clang's intrinsics, as Model's SSSE3 kernels use them.
#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Rows per block: Model's `blockRowCountMax`, two 64-byte vectors of leaf indexes.
private let blockRowCount = 128

/// Adds every tree's leaf value to the sums of one block of rows, tree after tree, so each
/// row's sum is rounded exactly as in Model's baseline pass and CatBoost's evaluator.
///
/// - `quantized`: the block's bytes, 128 per bucket (bucket-major), each the row's count of
///   borders below its value minus 128, as a signed byte.
/// - Tree `t` has `treeDepths[t]` ≤ 8 splits from `treeSplitStarts[t]` in `splitBuckets` and
///   `splitThresholds` (a row passes a split when its count is at least the threshold).
/// - Its leaves are `leafValues[t << leafStrideShift ..< (t + 1) << leafStrideShift]`, with
///   `leafStrideShift` ≥ 3 and ≥ every depth: eight doubles are readable for every tree.
/// - `sums` holds 128 doubles; the first `rowCount` (rounded up to eight) are summed, and lanes
///   past the block's rows must be ignored.
///
/// Leaf indexes are 64 rows per compare; a tree of depth ≤ 6 then finds eight rows' leaves
/// in registers, its ≤ 64 leaves being eight vectors (`vpermt2pd` picks from 16, two bit
/// tests choose among four such picks), where the baseline pass loads one leaf per row.
@inline(never)
public func addTreeLeafValuesAVX512(
    quantized: UnsafePointer<UInt8>, treeCount: Int, treeDepths: UnsafePointer<Int>,
    treeSplitStarts: UnsafePointer<Int>, splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>,
    leafValues: UnsafePointer<Double>, leafStrideShift: Int, rowCount: Int, sums: UnsafeMutablePointer<Double>
) {
    precondition(rowCount <= blockRowCount, "one block of rows")
    precondition(leafStrideShift >= 3, "every tree's leaves padded to at least eight")
    withUnsafeTemporaryAllocation(byteCount: blockRowCount, alignment: 64) { memory in
        let indexes = memory.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var tree = 0
        while tree < treeCount {
            let depth = treeDepths[tree]
            assert(depth <= 8 && depth <= leafStrideShift)
            let split = treeSplitStarts[tree]
            storeLeafIndexes(
                quantized: quantized, splitBuckets: splitBuckets + split, splitThresholds: splitThresholds + split,
                depth: depth, into: indexes)
            addLeaves(
                depth: depth, leaves: leafValues + tree &<< leafStrideShift, indexes: indexes, rowCount: rowCount, sums: sums)
            tree &+= 1
        }
    }
}

/// The block's 128 leaf indexes of one tree, as bytes. A row fails a split when its signed
/// byte is below `threshold - 128`: exactly when the saturating difference is negative, whose
/// sign bits are the mask (AVX-512 BW's byte compares are macros Swift cannot import).
@inline(__always)
private func storeLeafIndexes(
    quantized: UnsafePointer<UInt8>, splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>,
    depth: Int, into indexes: UnsafeMutablePointer<UInt8>
) {
    var failsLow = _mm512_setzero_si512()
    var failsHigh = _mm512_setzero_si512()
    var level = 0
    while level < depth {
        let column = UnsafeRawPointer(quantized + Int(splitBuckets[level]) &* blockRowCount)
        let threshold = _mm512_set1_epi8(CChar(truncatingIfNeeded: Int(splitThresholds[level]) &- 128))
        let bit = _mm512_set1_epi8(CChar(truncatingIfNeeded: 1 &<< level))
        let low = _mm512_movepi8_mask(_mm512_subs_epi8(_mm512_loadu_si512(column), threshold))
        let high = _mm512_movepi8_mask(_mm512_subs_epi8(_mm512_loadu_si512(column + 64), threshold))
        failsLow = _mm512_mask_add_epi8(failsLow, low, failsLow, bit)
        failsHigh = _mm512_mask_add_epi8(failsHigh, high, failsHigh, bit)
        level &+= 1
    }
    // Passed bits are the failed ones flipped.
    let all = _mm512_set1_epi8(CChar(truncatingIfNeeded: (1 &<< depth) &- 1))
    _mm512_storeu_si512(UnsafeMutableRawPointer(indexes), _mm512_xor_si512(failsLow, all))
    _mm512_storeu_si512(UnsafeMutableRawPointer(indexes + 64), _mm512_xor_si512(failsHigh, all))
}

/// Adds one tree's leaves to the block's sums, eight rows per step, by the tree's depth.
@inline(__always)
private func addLeaves(
    depth: Int, leaves: UnsafePointer<Double>, indexes: UnsafePointer<UInt8>, rowCount: Int,
    sums: UnsafeMutablePointer<Double>
) {
    switch depth {
    case 0...3:
        let t0 = _mm512_loadu_pd(leaves)
        forEachEightRows(indexes: indexes, rowCount: rowCount, sums: sums) { index in _mm512_permutexvar_pd(index, t0) }
    case 4:
        let (t0, t1) = (_mm512_loadu_pd(leaves), _mm512_loadu_pd(leaves + 8))
        forEachEightRows(indexes: indexes, rowCount: rowCount, sums: sums) { index in _mm512_permutex2var_pd(t0, index, t1) }
    case 5:
        let (t0, t1) = (_mm512_loadu_pd(leaves), _mm512_loadu_pd(leaves + 8))
        let (t2, t3) = (_mm512_loadu_pd(leaves + 16), _mm512_loadu_pd(leaves + 24))
        let bit4 = _mm512_set1_epi64(16)
        forEachEightRows(indexes: indexes, rowCount: rowCount, sums: sums) { index in
            _mm512_mask_blend_pd(
                _mm512_test_epi64_mask(index, bit4), _mm512_permutex2var_pd(t0, index, t1),
                _mm512_permutex2var_pd(t2, index, t3))
        }
    case 6:
        let (t0, t1) = (_mm512_loadu_pd(leaves), _mm512_loadu_pd(leaves + 8))
        let (t2, t3) = (_mm512_loadu_pd(leaves + 16), _mm512_loadu_pd(leaves + 24))
        let (t4, t5) = (_mm512_loadu_pd(leaves + 32), _mm512_loadu_pd(leaves + 40))
        let (t6, t7) = (_mm512_loadu_pd(leaves + 48), _mm512_loadu_pd(leaves + 56))
        let (bit4, bit5) = (_mm512_set1_epi64(16), _mm512_set1_epi64(32))
        forEachEightRows(indexes: indexes, rowCount: rowCount, sums: sums) { index in
            let upper16 = _mm512_test_epi64_mask(index, bit4)
            let low = _mm512_mask_blend_pd(
                upper16, _mm512_permutex2var_pd(t0, index, t1), _mm512_permutex2var_pd(t2, index, t3))
            let high = _mm512_mask_blend_pd(
                upper16, _mm512_permutex2var_pd(t4, index, t5), _mm512_permutex2var_pd(t6, index, t7))
            return _mm512_mask_blend_pd(_mm512_test_epi64_mask(index, bit5), low, high)
        }
    default:
        // 128 or 256 leaves: more than the registers hold; one load per row, as the baseline.
        var row = 0
        while row < rowCount {
            sums[row] += leaves[Int(indexes[row])]
            row &+= 1
        }
    }
}

/// `sums[r] += leaf(r)` for the first `rowCount` rows (rounded up to eight), eight at a time:
/// `leaf` maps eight rows' leaf indexes (one per 64-bit lane) to their leaf values.
@inline(__always)
private func forEachEightRows(
    indexes: UnsafePointer<UInt8>, rowCount: Int, sums: UnsafeMutablePointer<Double>, _ leaf: (__m512i) -> __m512d
) {
    var row = 0
    while row < rowCount {
        let index = _mm512_cvtepu8_epi64(_mm_loadl_epi64(UnsafeRawPointer(indexes + row).assumingMemoryBound(to: __m128i.self)))
        let sum = UnsafeMutableRawPointer(sums + row)
        _mm512_storeu_pd(sum, _mm512_add_pd(_mm512_loadu_pd(sum), leaf(index)))
        row &+= 8
    }
}
#endif
