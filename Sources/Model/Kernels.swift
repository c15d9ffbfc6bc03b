// The evaluator's hot loops, one standalone function each, taking buffers rather than `self`
// so that reviewers know where performance lives and the optimizer sees no aliasing through
// class references. Everything here is unchecked pointer arithmetic behind `assert`s; callers
// in Evaluator.swift establish the bounds once per call.

/// Rows per evaluation block. CatBoost's `FORMULA_EVALUATION_BLOCK_SIZE` is 128 documents:
/// a block's quantized bytes for ~30 features (3.8 KiB) and four trees' leaf indexes stay in L1,
/// and 128 byte lanes are exactly eight `SIMD16<UInt8>` per split.
let blockRowCountMax = 128

/// Quantizes one block of rows into bytes, one 128-byte column per bucket:
/// `quantized[bucket * 128 + row]` = number of the bucket's borders strictly below the
/// row's (NaN-substituted) value. Lanes past `rowCount` are filled with zeros.
@inline(__always)
func quantize(
    rows: UnsafePointer<Float>, rowCount: Int, columnCount: Int,
    buckets: UnsafeBufferPointer<CompiledEnsemble.Bucket>, borders: UnsafePointer<Float>,
    column: UnsafeMutablePointer<Float>,
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
        // Every bucket is compared linearly against all its borders, as CatBoost does: on the
        // 500×depth-6 benchmark model a branch-free binary search per value was 2× slower even
        // for buckets of 254 borders, because the vector compare does 16 rows per instruction.
        quantizeLinear(
            column: column, borders: borders + bucket.borderStart, borderCount: bucket.borderCount,
            into: quantized + bucketIndex &* blockRowCountMax)
    }
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
/// subtract per border (the mask is all ones, i.e. -1, where true).
@inline(__always)
func quantizeLinear(
    column: UnsafePointer<Float>, borders: UnsafePointer<Float>, borderCount: Int,
    into output: UnsafeMutablePointer<UInt8>
) {
    let raw = UnsafeRawPointer(column)
    var chunk = 0
    while chunk < blockRowCountMax {
        let values = raw.loadUnaligned(fromByteOffset: chunk &* 4, as: SIMD16<Float>.self)
        var counts = SIMD16<Int32>(repeating: 0)
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

/// Branch-free lower bound: the number of borders strictly below `value` (single-row path).
@inline(__always)
func countBordersBelow(_ value: Float, borders: UnsafePointer<Float>, borderCount: Int) -> Int {
    guard borderCount > 0 else { return 0 }
    var base = 0
    var length = borderCount
    while length > 1 {
        let half = length &>> 1
        // Arithmetic select: a `?:` here compiles to a branch that mispredicts half the time.
        base &+= half & (0 &- greaterAsInt(value, borders[base &+ half &- 1]))
        length &-= half
    }
    return base &+ greaterAsInt(value, borders[base])
}

/// `a > b` as 0 or 1 without a branch.
@inline(__always)
func greaterAsInt(_ a: Float, _ b: Float) -> Int {
    Int(truncatingIfNeeded: unsafeBitCast(a > b, to: UInt8.self))
}

/// Leaf indexes of one tree of depth ≤ 8 for a whole block: per level, 128 byte compares
/// against the split's threshold, masked to the level's bit and OR-ed in.
@inline(__always)
func computeLeafIndices(
    quantizedBlock quantized: UnsafePointer<UInt8>,
    splitBuckets: UnsafePointer<Int32>, splitThresholds: UnsafePointer<UInt8>, depth: Int,
    into indices: UnsafeMutablePointer<UInt8>
) {
    assert(depth <= 8)
    // 16 rows per vector: on baseline x86-64 (SSE2) wider SIMD types are split by LLVM into
    // lane-by-lane loops with spills, measured 60× slower than this.
    var chunk = 0
    while chunk < blockRowCountMax {
        var index = SIMD16<UInt8>(repeating: 0)
        var level = 0
        while level < depth {
            let column: UnsafePointer<UInt8> = quantized + Int(splitBuckets[level]) &* blockRowCountMax
            let bytes = UnsafeRawPointer(column + chunk).loadUnaligned(as: SIMD16<UInt8>.self)
            let bit = SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: 1 &<< level))
            let threshold = SIMD16<UInt8>(repeating: splitThresholds[level])
            let passes: SIMD16<UInt8> = laneBits(bytes .>= threshold)
            index |= passes & bit
            level &+= 1
        }
        UnsafeMutableRawPointer(indices + chunk).storeBytes(of: index, as: SIMD16<UInt8>.self)
        chunk &+= 16
    }
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
    var row = 0
    while row < rowCount {
        let tree01 = leaves0[Int(indices[row])] + leaves1[Int(indices[row &+ blockRowCountMax])]
        let tree23 =
            leaves2[Int(indices[row &+ 2 &* blockRowCountMax])] + leaves3[Int(indices[row &+ 3 &* blockRowCountMax])]
        sums[row] += tree01 + tree23
        row &+= 1
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
            let byte = quantized[Int(splitBuckets[level]) &* blockRowCountMax &+ row]
            leafIndex |= (byte >= splitThresholds[level] ? 1 : 0) &<< level
            level &+= 1
        }
        sums[row] += leaves[leafIndex]
        row &+= 1
    }
}

/// One row's sum over all trees from its quantized bytes (one byte per bucket): the scalar
/// walk CatBoost also uses for single documents. Splits and leaves are contiguous in tree
/// order, so two running offsets replace the per-tree start tables.
@inline(__always)
func sumLeafValues(
    quantized: UnsafePointer<UInt8>, treeDepths: UnsafeBufferPointer<Int>,
    splitBuckets: UnsafeBufferPointer<Int32>, splitThresholds: UnsafeBufferPointer<UInt8>,
    leafValues: UnsafeBufferPointer<Double>
) -> Double {
    guard let buckets = splitBuckets.baseAddress, let thresholds = splitThresholds.baseAddress,
        let leaves = leafValues.baseAddress
    else { return leafValues.reduce(0, +) }  // depth-0 trees only: one leaf each
    var sum = 0.0
    var split = 0
    var leafStart = 0
    for depth in treeDepths {
        var leafIndex = 0
        var level = 0
        while level < depth {
            let passes = quantized[Int(buckets[split &+ level])] >= thresholds[split &+ level]
            leafIndex |= Int(truncatingIfNeeded: unsafeBitCast(passes, to: UInt8.self)) &<< level
            level &+= 1
        }
        sum += leaves[leafStart &+ leafIndex]
        split &+= depth
        leafStart &+= 1 &<< depth
    }
    assert(split == splitBuckets.count && leafStart == leafValues.count)
    return sum
}

/// One row's sum over all trees, 16 trees per step: per level, the 16 trees' bytes are gathered
/// into one vector and compared with their thresholds at once (CatBoost walks single documents
/// tree by tree; this does a sixteenth of the compares and shifts).
@inline(__always)
func sumLeafValuesGrouped(
    quantized: UnsafePointer<UInt8>, levelStarts: UnsafeBufferPointer<Int>,
    buckets: UnsafePointer<SIMD16<UInt8>>, thresholds: UnsafePointer<SIMD16<UInt8>>,
    leafStarts: UnsafePointer<Int32>, leafValues: UnsafePointer<Double>
) -> Double {
    var sum = 0.0
    var gathered = SIMD16<UInt8>(repeating: 0)
    for group in 0..<(levelStarts.count &- 1) {
        var index = SIMD16<UInt8>(repeating: 0)
        var level = levelStarts[group]
        let end = levelStarts[group &+ 1]
        var bit: UInt8 = 1
        while level < end {
            let lanes = buckets[level]
            withUnsafeMutableBytes(of: &gathered) { bytes in
                for lane in 0..<16 { bytes[lane] = quantized[Int(lanes[lane])] }
            }
            index |= laneBits(gathered .>= thresholds[level]) & SIMD16<UInt8>(repeating: bit)
            bit &<<= 1
            level &+= 1
        }
        let starts = leafStarts + group &* 16
        var partial = 0.0
        for lane in 0..<16 { partial += leafValues[Int(starts[lane]) &+ Int(index[lane])] }
        sum += partial
    }
    return sum
}
