// The batch evaluator's tree pass for CPUs with AVX2 (Haswell and later, every Zen), built for
// `-target-cpu haswell` (Package.swift) and called only when Model's `InstructionLevel` found
// AVX2. Clang's intrinsics, as Model's SSSE3 kernels use them.
#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Rows per block: Model's `blockRowCountMax`, four 32-byte vectors of leaf indexes.
private let blockRowCount = 128

/// Adds every tree's leaf value to the sums of one block of rows, in tree order per row, as
/// Model's baseline pass does (same arguments as `addTreeLeafValuesAVX512`, whose
/// documentation says what each holds; here trees may be up to 8 deep and leaves need no padding
/// beyond each tree's own).
///
/// Leaf indexes take 32 rows per compare, where the baseline takes 16; leaves are then loaded
/// one per row, four trees per pass over the sums (AVX2 has no permute over more than four
/// doubles, and its gathers are macros Swift cannot import).
@inline(never)
public func addTreeLeafValuesAVX2(
    quantized: UnsafePointer<UInt8>, treeCount: Int, treeDepths: UnsafePointer<Int>,
    treeSplitStarts: UnsafePointer<Int>, splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>,
    leafValues: UnsafePointer<Double>, leafStrideShift: Int, rowCount: Int, sums: UnsafeMutablePointer<Double>
) {
    precondition(rowCount <= blockRowCount, "one block of rows")
    withUnsafeTemporaryAllocation(byteCount: 4 * blockRowCount, alignment: 32) { memory in
        let indexes = memory.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var tree = 0
        while tree < treeCount {
            let group = min(4, treeCount &- tree)
            for slot in 0..<group {
                let split = treeSplitStarts[tree &+ slot]
                assert(treeDepths[tree &+ slot] <= 8)
                storeLeafIndexes(
                    quantized: quantized, splitBuckets: splitBuckets + split, splitThresholds: splitThresholds + split,
                    depth: treeDepths[tree &+ slot], into: indexes + slot &* blockRowCount)
            }
            let leaves = leafValues + tree &<< leafStrideShift
            if group == 4 {
                addLeaves4(
                    indexes: indexes, leaves: leaves, leafStride: 1 &<< leafStrideShift, rowCount: rowCount, sums: sums)
            } else {
                for slot in 0..<group {
                    let treeLeaves = leaves + slot &<< leafStrideShift
                    let treeIndexes = indexes + slot &* blockRowCount
                    for row in 0..<rowCount { sums[row] += treeLeaves[Int(treeIndexes[row])] }
                }
            }
            tree &+= group
        }
    }
}

/// The block's 128 leaf indexes of one tree, as bytes: per level a signed compare finds the
/// rows below the split's threshold, and the others get the level's bit.
@inline(__always)
private func storeLeafIndexes(
    quantized: UnsafePointer<UInt8>, splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>,
    depth: Int, into indexes: UnsafeMutablePointer<UInt8>
) {
    var index = (_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256())
    var level = 0
    while level < depth {
        let column = UnsafeRawPointer(quantized + Int(splitBuckets[level]) &* blockRowCount)
        let threshold = _mm256_set1_epi8(CChar(truncatingIfNeeded: Int(splitThresholds[level]) &- 128))
        let bit = _mm256_set1_epi8(CChar(truncatingIfNeeded: 1 &<< level))
        @inline(__always) func passes(_ offset: Int) -> __m256i {
            let fails = _mm256_cmpgt_epi8(threshold, _mm256_loadu_si256(column.advanced(by: offset).assumingMemoryBound(to: __m256i.self)))
            return _mm256_andnot_si256(fails, bit)
        }
        index.0 = _mm256_or_si256(index.0, passes(0))
        index.1 = _mm256_or_si256(index.1, passes(32))
        index.2 = _mm256_or_si256(index.2, passes(64))
        index.3 = _mm256_or_si256(index.3, passes(96))
        level &+= 1
    }
    let output = UnsafeMutableRawPointer(indexes)
    _mm256_storeu_si256(output.assumingMemoryBound(to: __m256i.self), index.0)
    _mm256_storeu_si256((output + 32).assumingMemoryBound(to: __m256i.self), index.1)
    _mm256_storeu_si256((output + 64).assumingMemoryBound(to: __m256i.self), index.2)
    _mm256_storeu_si256((output + 96).assumingMemoryBound(to: __m256i.self), index.3)
}

/// Four consecutive trees' leaves added to each row's sum one tree at a time, four rows per
/// step (the first `rowCount` rows, rounded up to four): the sums are loaded and stored once per
/// four trees.
@inline(__always)
private func addLeaves4(
    indexes: UnsafePointer<UInt8>, leaves: UnsafePointer<Double>, leafStride: Int, rowCount: Int,
    sums: UnsafeMutablePointer<Double>
) {
    @inline(__always) func four(_ tree: Int, _ row: Int) -> __m256d {
        let treeLeaves = leaves + tree &* leafStride
        let treeIndexes: UnsafePointer<UInt8> = indexes + (tree &* blockRowCount &+ row)
        return _mm256_setr_pd(
            treeLeaves[Int(treeIndexes[0])], treeLeaves[Int(treeIndexes[1])], treeLeaves[Int(treeIndexes[2])],
            treeLeaves[Int(treeIndexes[3])])
    }
    var row = 0
    while row < rowCount {
        let sum = sums + row
        var total = _mm256_loadu_pd(sum)
        total = _mm256_add_pd(total, four(0, row))
        total = _mm256_add_pd(total, four(1, row))
        total = _mm256_add_pd(total, four(2, row))
        total = _mm256_add_pd(total, four(3, row))
        _mm256_storeu_pd(sum, total)
        row &+= 4
    }
}
#endif
