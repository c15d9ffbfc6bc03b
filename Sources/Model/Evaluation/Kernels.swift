// The evaluator's hot loops, one standalone function each, taking buffers rather than `self`
// so that reviewers know where performance lives and the optimizer sees no aliasing through
// class references. Everything here is unchecked pointer arithmetic behind `assert`s; callers
// in Evaluator.swift establish the bounds once per call.
#if arch(x86_64)
import EvaluatorAVX512
#endif

/// Rows per evaluation block. CatBoost's `FORMULA_EVALUATION_BLOCK_SIZE` is 128 documents:
/// a block's quantized bytes for ~30 features (3.8 KiB) and four trees' leaf indexes stay in L1,
/// and 128 byte lanes are exactly eight `SIMD16<UInt8>` per split.
let blockRowCountMax = 128

/// Quantizes one block of rows into bytes, one 128-byte column per bucket:
/// `quantized[bucket * 128 + row]` = (number of the bucket's borders strictly below the
/// row's NaN-substituted value) - 128, as a signed byte. Lanes past `rowCount` quantize 0.
/// With `searchLevels` (AVX-512 only) the counts come from `countBordersBelowAVX512`.
@inline(__always)
func quantize(
    rows: UnsafePointer<Float>, rowCount: Int, columnCount: Int,
    buckets: UnsafeBufferPointer<CompiledEnsemble.Bucket>, borders: UnsafePointer<Float>, coarse: UnsafePointer<Float>,
    searchLevels: CompiledEnsemble.UnsafeHandle.SearchLevels?, column: UnsafeMutablePointer<Float>,
    into quantized: UnsafeMutablePointer<UInt8>
) {
    assert(rowCount > 0 && rowCount <= blockRowCountMax)
    for bucketIndex in buckets.indices {
        let bucket = buckets[bucketIndex]
        assert(bucket.columnIndex < columnCount)
        // Transpose the column so the compares below read contiguous floats.
        var row = 0
        switch bucket.nanValueTreatment {
        case .asIs:
            while row < rowCount {
                column[row] = rows[row &* columnCount &+ bucket.columnIndex]
                row &+= 1
            }
        case .asFalse, .asTrue:
            let replacement: Float = bucket.nanValueTreatment == .asTrue ? .infinity : -.infinity
            while row < rowCount {
                let value = rows[row &* columnCount &+ bucket.columnIndex]
                column[row] = value.isNaN ? replacement : value
                row &+= 1
            }
        }
        while row < blockRowCountMax {
            column[row] = 0
            row &+= 1
        }
        let output = quantized + bucketIndex &* blockRowCountMax
        #if arch(x86_64)
        if let searchLevels {
            countBordersBelowAVX512(
                column: column, levels: searchLevels.floats.baseAddress! + searchLevels.starts[bucketIndex],
                levelCount: searchLevels.levelCounts[bucketIndex], countBias: -128, into: output)
            continue
        }
        #endif
        if bucket.borderCount < segmentedBorderCountMin {
            countBordersBelowLinear(
                column: column, borders: borders + bucket.borderStart, borderCount: bucket.borderCount,
                countBias: -128, into: output)
        } else {
            countBordersBelowSegmented(
                column: column, segments: borders + bucket.borderStart, coarse: coarse + bucket.coarseStart,
                coarseCount: bucket.coarseCount, into: output)
        }
    }
}

/// From this many borders a bucket is quantized by segment (coarse count, then one segment per
/// row) rather than by comparing every row with every border. The linear count costs half an
/// instruction per row and border; the segmented one the same per coarse border plus about a
/// dozen per row, so they break even near 30 borders (16 and 32 measured the same on the
/// benchmark model, whose buckets have 19–130 borders).
let segmentedBorderCountMin = 32

/// Quantizes one block column through the bucket's segments: first every row's segment, 16
/// rows per compare over the coarse borders, then per row one eight-lane compare in its segment.
/// Output bytes are signed `count - 128`, as from `countBordersBelowLinear`.
@inline(__always)
func countBordersBelowSegmented(
    column: UnsafePointer<Float>, segments: UnsafePointer<Float>, coarse: UnsafePointer<Float>, coarseCount: Int,
    into output: UnsafeMutablePointer<UInt8>
) {
    countBordersBelowLinear(column: column, borders: coarse, borderCount: coarseCount, countBias: 0, into: output)
    var row = 0
    while row < blockRowCountMax {
        let segment = Int(output[row])
        let count = segment &* CompiledEnsemble.segmentBorderCount
            &+ countBordersBelow(column[row], segment: segments + segment &* CompiledEnsemble.segmentBorderCount)
        output[row] = UInt8(truncatingIfNeeded: count &- 128)
        row &+= 1
    }
}

/// The number of a segment's eight borders strictly below `value`.
@inline(__always)
func countBordersBelow(_ value: Float, segment: UnsafePointer<Float>) -> Int {
    let raw = UnsafeRawPointer(segment)
    let broadcast = SIMD4<Float>(repeating: value)
    // The two halves' masks (-1 per border below) are added before the one horizontal sum.
    // Summing the eight mask lanes directly is turned by LLVM into a population count, which
    // baseline x86-64 has no instruction for (it emits about twenty bit operations instead).
    let low: SIMD4<Int32> = laneBits(raw.loadUnaligned(as: SIMD4<Float>.self) .< broadcast)
    let high: SIMD4<Int32> = laneBits(raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self) .< broadcast)
    return Int(truncatingIfNeeded: 0 &- (low &+ high).wrappedSum())
}

/// The number of a bucket's borders strictly below `value` (single-row path): the coarse count,
/// eight coarse borders per compare, names the segment; one compare in it finishes the count.
@inline(__always)
func countBordersBelow(
    _ value: Float, segments: UnsafePointer<Float>, coarse: UnsafePointer<Float>, paddedCoarseCount: Int
) -> Int {
    // The coarse borders are padded to whole segments, so the linear count never takes its
    // scalar tail.
    let segment = countBordersBelowLinear(value, borders: coarse, borderCount: paddedCoarseCount)
    return segment &* CompiledEnsemble.segmentBorderCount
        &+ countBordersBelow(value, segment: segments + segment &* CompiledEnsemble.segmentBorderCount)
}

/// A comparison's lanes as integers: all ones (-1) where true, 0 where false.
///
/// `SIMD.replacing(with:where:)` is a generic per-lane loop that the optimizer leaves scalar
/// (measured: 60× slower than this in `computeLeafIndices`), while a mask is already stored
/// as exactly these lanes, so reinterpreting it costs nothing.
@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD16<Int32>>) -> SIMD16<Int32> {
    unsafeBitCast(mask, to: SIMD16<Int32>.self)
}

@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD16<Int8>>) -> SIMD16<UInt8> {
    unsafeBitCast(mask, to: SIMD16<UInt8>.self)
}

/// Counts, for 16 rows at a time, the borders each value exceeds: one vector compare and one
/// subtract per border (the mask is all ones, i.e. -1, where true). Each byte holds
/// `count + countBias`; a bias of -128 gives the signed bytes `computeLeafIndices` compares in
/// one instruction.
@inline(__always)
func countBordersBelowLinear(
    column: UnsafePointer<Float>, borders: UnsafePointer<Float>, borderCount: Int, countBias: Int32,
    into output: UnsafeMutablePointer<UInt8>
) {
    let raw = UnsafeRawPointer(column)
    var chunk = 0
    while chunk < blockRowCountMax {
        let values = raw.loadUnaligned(fromByteOffset: chunk &* 4, as: SIMD16<Float>.self)
        var counts = SIMD16<Int32>(repeating: countBias)
        var borderIndex = 0
        while borderIndex < borderCount {
            let border = SIMD16<Float>(repeating: borders[borderIndex])
            counts &-= laneBits(values .> border)
            borderIndex &+= 1
        }
        UnsafeMutableRawPointer(output + chunk).storeBytes(
            of: SIMD16<UInt8>(truncatingIfNeeded: counts), as: SIMD16<UInt8>.self)
        chunk &+= 16
    }
}

/// The number of borders strictly below `value` (single-row path), eight borders per step:
/// the compares are independent, where a binary search's steps wait on each other's loads
/// (measured: the search took a fifth of a single-row evaluation, this half as long).
@inline(__always)
func countBordersBelowLinear(_ value: Float, borders: UnsafePointer<Float>, borderCount: Int) -> Int {
    let raw = UnsafeRawPointer(borders)
    let broadcast = SIMD8<Float>(repeating: value)
    var counts = SIMD8<Int32>(repeating: 0)
    var index = 0
    while index &+ 8 <= borderCount {
        counts &-= laneBits(raw.loadUnaligned(fromByteOffset: index &* 4, as: SIMD8<Float>.self) .< broadcast)
        index &+= 8
    }
    var count = Int(counts.wrappedSum())
    while index < borderCount {
        count &+= greaterAsInt(value, borders[index])
        index &+= 1
    }
    return count
}

@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD4<Int32>>) -> SIMD4<Int32> {
    unsafeBitCast(mask, to: SIMD4<Int32>.self)
}

@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD8<Int32>>) -> SIMD8<Int32> {
    unsafeBitCast(mask, to: SIMD8<Int32>.self)
}

/// `a > b` as 0 or 1 without a branch.
@inline(__always)
func greaterAsInt(_ a: Float, _ b: Float) -> Int {
    Int(truncatingIfNeeded: unsafeBitCast(a > b, to: UInt8.self))
}

/// Leaf indexes of one tree of depth ≤ 8 for a whole block: per level, 128 byte compares
/// against the split's threshold, masked to the level's bit and OR-ed in.
///
/// Levels are the outer loop and the block's eight 16-row chunks the inner one, with the eight
/// index vectors held in registers: the threshold broadcast and column address are then made
/// once per level, where chunk-outer loops rebuilt them per chunk (about 14 instructions per
/// level and chunk instead of 4, measured as a third of the batch evaluator's time).
@inline(__always)
func computeLeafIndices(
    quantizedBlock quantized: UnsafePointer<UInt8>,
    splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>, depth: Int,
    into indices: UnsafeMutablePointer<UInt8>
) {
    assert(depth <= 8)
    assert(blockRowCountMax == 8 * 16, "eight 16-row chunks per block")
    // 16 rows per vector: on baseline x86-64 (SSE2) wider SIMD types are split by LLVM into
    // lane-by-lane loops with spills, measured 60× slower than this.
    var index = (
        SIMD16<UInt8>(), SIMD16<UInt8>(), SIMD16<UInt8>(), SIMD16<UInt8>(),
        SIMD16<UInt8>(), SIMD16<UInt8>(), SIMD16<UInt8>(), SIMD16<UInt8>()
    )
    var level = 0
    while level < depth {
        let column = UnsafeRawPointer(quantized + Int(splitBuckets[level]) &* blockRowCountMax)
        // Bytes hold `count - 128` (see `countBordersBelowLinear`), so a split fails, count <
        // threshold, exactly when the signed "threshold - 128 > byte": one compare instruction,
        // where unsigned ≥ takes two on SSE2. Comparing this way round lets the compare read
        // the (aligned) bytes from memory, and the failure mask clears the bit with one and-not.
        let threshold = SIMD16<Int8>(repeating: Int8(truncatingIfNeeded: Int(splitThresholds[level]) &- 128))
        let bit = SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: 1 &<< level))
        @inline(__always) func passes(_ chunk: Int) -> SIMD16<UInt8> {
            let fails: SIMD16<UInt8> = laneBits(threshold .> column.load(fromByteOffset: chunk &* 16, as: SIMD16<Int8>.self))
            return bit & ~fails
        }
        index.0 |= passes(0)
        index.1 |= passes(1)
        index.2 |= passes(2)
        index.3 |= passes(3)
        index.4 |= passes(4)
        index.5 |= passes(5)
        index.6 |= passes(6)
        index.7 |= passes(7)
        level &+= 1
    }
    let output = UnsafeMutableRawPointer(indices)
    output.storeBytes(of: index.0, toByteOffset: 0, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.1, toByteOffset: 16, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.2, toByteOffset: 32, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.3, toByteOffset: 48, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.4, toByteOffset: 64, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.5, toByteOffset: 80, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.6, toByteOffset: 96, as: SIMD16<UInt8>.self)
    output.storeBytes(of: index.7, toByteOffset: 112, as: SIMD16<UInt8>.self)
}

/// Adds four trees' leaf values per row in one pass, so the row sums are loaded and stored
/// once per four trees (CatBoost's evaluator does the same).
@inline(__always)
func addLeafValues4(
    indices: UnsafePointer<UInt8>,
    leaves0: UnsafePointer<Double>, leaves1: UnsafePointer<Double>,
    leaves2: UnsafePointer<Double>, leaves3: UnsafePointer<Double>,
    rowCount: Int, into sums: UnsafeMutablePointer<Double>
) {
    // Two rows per step in SIMD2<Double> lanes: one vector add where two scalar adds were, and
    // half the loads and stores of the row sums. Each row adds the four trees' leaves to its
    // running sum one at a time, in tree order, as CatBoost does (GatherAddLeafSSE, once per
    // tree, in catboost/libs/model/cpu/evaluator_impl.cpp): a row's bits then do not depend on
    // which path or batch it went through.
    @inline(__always) func pair(_ leaves: UnsafePointer<Double>, _ tree: Int, _ row: Int) -> SIMD2<Double> {
        SIMD2(leaves[Int(indices[tree &* blockRowCountMax &+ row])], leaves[Int(indices[tree &* blockRowCountMax &+ row &+ 1])])
    }
    let raw = UnsafeMutableRawPointer(sums)
    var row = 0
    while row &+ 2 <= rowCount {
        let offset = row &* 8
        var sum = raw.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
        sum += pair(leaves0, 0, row)
        sum += pair(leaves1, 1, row)
        sum += pair(leaves2, 2, row)
        sum += pair(leaves3, 3, row)
        raw.storeBytes(of: sum, toByteOffset: offset, as: SIMD2<Double>.self)
        row &+= 2
    }
    if row < rowCount {
        var sum = sums[row]
        sum += leaves0[Int(indices[row])]
        sum += leaves1[Int(indices[row &+ blockRowCountMax])]
        sum += leaves2[Int(indices[row &+ 2 &* blockRowCountMax])]
        sum += leaves3[Int(indices[row &+ 3 &* blockRowCountMax])]
        sums[row] = sum
    }
}

@inline(__always)
func addLeafValues(
    indices: UnsafePointer<UInt8>, leaves: UnsafePointer<Double>, rowCount: Int,
    into sums: UnsafeMutablePointer<Double>
) {
    var row = 0
    while row < rowCount {
        sums[row] += leaves[Int(indices[row])]
        row &+= 1
    }
}

/// Trees deeper than 8 levels need 16-bit leaf indexes; they are rare, so a scalar loop serves.
@inline(__always)
func addDeepTreeLeafValues(
    quantizedBlock quantized: UnsafePointer<UInt8>,
    splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>, depth: Int,
    leaves: UnsafePointer<Double>, rowCount: Int, into sums: UnsafeMutablePointer<Double>
) {
    var row = 0
    while row < rowCount {
        var leafIndex = 0
        var level = 0
        while level < depth {
            let count = quantized[Int(splitBuckets[level]) &* blockRowCountMax &+ row] ^ 0x80
            leafIndex |= (count >= splitThresholds[level] ? 1 : 0) &<< level
            level &+= 1
        }
        sums[row] += leaves[leafIndex]
        row &+= 1
    }
}

/// One row's sum over all trees from its quantized bytes (one byte per bucket).
///
/// Bucket by bucket, the splits the row passes are a prefix of the bucket's threshold-sorted
/// list; each sets one bit of its tree's leaf index. About half the model's splits are touched,
/// once each, with no compares and no gathers. (CatBoost walks single documents tree by tree,
/// testing every split through a dependent load. Setting one flag byte per split and packing
/// a tree's flags with a multiply was measured 15% slower than these ORs.)
@inline(__always)
func sumLeafValuesBySplitLists(
    quantized: UnsafePointer<UInt8>, bucketCount: Int,
    splits: UnsafePointer<UInt64>,
    passedEnds: UnsafePointer<Int32>, passedEndStarts: UnsafePointer<Int>,
    treeCount: Int, treeLeafStarts: UnsafePointer<Int>, leafValues: UnsafePointer<Double>,
    leafIndices: UnsafeMutablePointer<UInt16>
) -> Double {
    leafIndices.initialize(repeating: 0, count: treeCount)
    var bucket = 0
    while bucket < bucketCount {
        let passed = passedEnds + passedEndStarts[bucket]
        var split = Int(passed[0])  // no split passes at byte 0: the list's start
        let end = Int(passed[Int(quantized[bucket])])
        while split < end {
            let entry = splits[split]
            leafIndices[Int(truncatingIfNeeded: entry &>> 32)] |= UInt16(truncatingIfNeeded: entry)
            split &+= 1
        }
        bucket &+= 1
    }
    // One running sum in tree order, as CatBoost's single-document walk adds (CalcTreesSingleDocImpl
    // in catboost/libs/model/cpu/evaluator_impl.cpp): several partial sums would be faster (each
    // add waits on the one before) but would round differently from the batch path and CatBoost.
    var sum = 0.0
    var tree = 0
    while tree < treeCount {
        sum += leafValues[treeLeafStarts[tree] &+ Int(leafIndices[tree])]
        tree &+= 1
    }
    return sum
}
