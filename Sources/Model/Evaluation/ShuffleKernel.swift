// The single-row evaluator's x86-64 kernel: SSSE3 byte shuffles reached through clang's
// intrinsics (with CSVRowKernels, the only intrinsics in Model). Other architectures walk the split lists.
#if arch(x86_64)
import _Builtin_intrinsics.intel

/// One row's sum over all trees from its quantized bytes, two trees per 16-slot group
/// (`ShuffleGroups`): about ten vector instructions per pair of trees, where walking the split
/// lists costs a read-modify-write of a leaf index per passed split.
///
/// `tables` holds `tableCount` 16-byte tables of the row's bytes as signed `count - 128`.
@inline(__always)
func sumLeafValuesByShuffles(
    tables: UnsafePointer<SIMD16<Int8>>, tableCount: Int,
    tableLanes: UnsafePointer<SIMD16<UInt8>>, thresholds: UnsafePointer<SIMD16<Int8>>,
    treeCount: Int, leafValues: UnsafePointer<Double>, leafStrideShift: Int
) -> Double {
    assert(tableCount >= 1)
    // One and two tables (up to 32 buckets) keep the tables in registers and the group loop free
    // of an inner loop; the general case loads each table per group.
    switch tableCount {
    case 1:
        let table0 = vector(tables[0])
        return sumLeafValues(
            treeCount: treeCount, thresholds: thresholds, leafValues: leafValues, leafStrideShift: leafStrideShift
        ) { group in
            _mm_shuffle_epi8(table0, vector(tableLanes[group]))
        }
    case 2:
        let table0 = vector(tables[0])
        let table1 = vector(tables[1])
        return sumLeafValues(
            treeCount: treeCount, thresholds: thresholds, leafValues: leafValues, leafStrideShift: leafStrideShift
        ) { group in
            let lanes = tableLanes + group &* 2
            return _mm_or_si128(_mm_shuffle_epi8(table0, vector(lanes[0])), _mm_shuffle_epi8(table1, vector(lanes[1])))
        }
    default:
        return sumLeafValues(
            treeCount: treeCount, thresholds: thresholds, leafValues: leafValues, leafStrideShift: leafStrideShift
        ) { group in
            let lanes = tableLanes + group &* tableCount
            var gathered = _mm_shuffle_epi8(vector(tables[0]), vector(lanes[0]))
            var table = 1
            while table < tableCount {
                gathered = _mm_or_si128(gathered, _mm_shuffle_epi8(vector(tables[table]), vector(lanes[table])))
                table &+= 1
            }
            return gathered
        }
    }
}

/// The group loop of `sumLeafValuesByShuffles`, given how a group's slot bytes are gathered.
@inline(__always)
private func sumLeafValues(
    treeCount: Int, thresholds: UnsafePointer<SIMD16<Int8>>, leafValues: UnsafePointer<Double>,
    leafStrideShift: Int, gather: (Int) -> SIMD2<Int64>
) -> Double {
    /// The pass flags' sign bits: bits 0–7 are the pair's first leaf index, 8–15 the second.
    @inline(__always) func leafIndexPair(_ group: Int) -> Int {
        let passes = _mm_cmpgt_epi8(gather(group), vector(thresholds[group]))
        return Int(truncatingIfNeeded: _mm_movemask_epi8(passes))
    }
    @inline(__always) func leafPair(_ group: Int) -> SIMD2<Double> {
        let indexes = leafIndexPair(group)
        let pair = leafValues + (group &<< (leafStrideShift &+ 1))
        return SIMD2(pair[indexes & 0xFF], pair[(1 &<< leafStrideShift) &+ (indexes &>> 8)])
    }
    // One running sum in tree order (CatBoost's, and the batch path's): each pair's first tree,
    // then its second. Partial sums per lane would round differently.
    var sum = 0.0
    let fullGroupCount = treeCount / 2
    var group = 0
    while group < fullGroupCount {
        let pair = leafPair(group)
        sum += pair[0]
        sum += pair[1]
        group &+= 1
    }
    if treeCount % 2 == 1 {
        sum += leafValues[(treeCount &- 1) &<< leafStrideShift &+ (leafIndexPair(fullGroupCount) & 0xFF)]
    }
    return sum
}

@inline(__always)
private func vector<Vector: SIMD>(_ value: Vector) -> SIMD2<Int64> {
    unsafeBitCast(value, to: SIMD2<Int64>.self)
}
#endif
