// The evaluator's hot loops, one standalone function each, taking buffers rather than `self`
// so that reviewers know where performance lives and the optimizer sees no aliasing through
// class references. Everything here is unchecked pointer arithmetic behind `assert`s; callers
// in Evaluator.swift establish the bounds once per call.

/// Rows per evaluation block. CatBoost's `FORMULA_EVALUATION_BLOCK_SIZE` is 128 documents:
/// a block's quantized bytes for ~30 features (3.8 KiB) and four trees' leaf indexes stay in L1,
/// and 128 byte lanes are exactly two `SIMD64<UInt8>` per split.
let blockRowCountMax = 128

/// Above this many borders a bucket is quantized by branch-free binary search (≈8 dependent
/// compares per value) instead of comparing the value against every border; below it the
/// linear SIMD compare is cheaper. Measured with ModelBenchmarks on the 500×depth-6 model.
let linearQuantizationBorderCountMax = 24

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
        let output = quantized + bucketIndex &* blockRowCountMax
        let bucketBorders = borders + bucket.borderStart
        if bucket.borderCount <= linearQuantizationBorderCountMax {
            quantizeLinear(column: column, borders: bucketBorders, borderCount: bucket.borderCount, into: output)
        } else {
            quantizeBinarySearch(
                column: column, rowCount: rowCount, borders: bucketBorders, borderCount: bucket.borderCount,
                into: output)
        }
    }
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
            counts.replace(with: counts &+ 1, where: values .> border)
            borderIndex &+= 1
        }
        UnsafeMutableRawPointer(output + chunk).storeBytes(
            of: SIMD16<UInt8>(truncatingIfNeeded: counts), as: SIMD16<UInt8>.self)
        chunk &+= 16
    }
}

/// Branch-free lower bound: the number of borders strictly below each value.
@inline(__always)
func quantizeBinarySearch(
    column: UnsafePointer<Float>, rowCount: Int, borders: UnsafePointer<Float>, borderCount: Int,
    into output: UnsafeMutablePointer<UInt8>
) {
    assert(borderCount > 0 && borderCount <= CompiledEnsemble.bucketBorderCountMax)
    var row = 0
    while row < rowCount {
        output[row] = UInt8(truncatingIfNeeded: countBordersBelow(column[row], borders: borders, borderCount: borderCount))
        row &+= 1
    }
    while row < blockRowCountMax {
        output[row] = 0
        row &+= 1
    }
}

@inline(__always)
func countBordersBelow(_ value: Float, borders: UnsafePointer<Float>, borderCount: Int) -> Int {
    guard borderCount > 0 else { return 0 }
    var base = 0
    var length = borderCount
    while length > 1 {
        let half = length &>> 1
        base = value > borders[base &+ half &- 1] ? base &+ half : base
        length &-= half
    }
    return base &+ (value > borders[base] ? 1 : 0)
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
    var low = SIMD64<UInt8>(repeating: 0)
    var high = SIMD64<UInt8>(repeating: 0)
    var level = 0
    while level < depth {
        let column = UnsafeRawPointer(quantized + Int(splitBuckets[level]) &* blockRowCountMax)
        let threshold = SIMD64<UInt8>(repeating: splitThresholds[level])
        let bit = SIMD64<UInt8>(repeating: UInt8(truncatingIfNeeded: 1 &<< level))
        let zero = SIMD64<UInt8>(repeating: 0)
        low |= bit.replacing(with: zero, where: column.loadUnaligned(as: SIMD64<UInt8>.self) .< threshold)
        high |= bit.replacing(
            with: zero, where: column.loadUnaligned(fromByteOffset: 64, as: SIMD64<UInt8>.self) .< threshold)
        level &+= 1
    }
    UnsafeMutableRawPointer(indices).storeBytes(of: low, as: SIMD64<UInt8>.self)
    UnsafeMutableRawPointer(indices).storeBytes(of: high, toByteOffset: 64, as: SIMD64<UInt8>.self)
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
