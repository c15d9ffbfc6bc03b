/// Gradient histograms of CTR features: for one projection's bucket block (row-major, `width`
/// bytes per row), every output's cells (Σ der1·w, Σ w) per (leaf, bucket), outputs one after
/// another, each `leafCount × binCount` cells leaf-major, as `LevelHistograms` lays a feature out.
enum CTRHistograms {
    /// The fast pass: rows leaf by leaf, each row's `width` buckets read from one place.
    static func accumulate(
        block: UnsafePointer<UInt8>, width: Int, binCount: Int, rows: LeafGroupedRows,
        into cells: UnsafeMutableBufferPointer<SIMD2<Double>>
    ) {
        let leafCount = rows.leafCount
        precondition(cells.count == width * leafCount * binCount, "cells are not outputs × leaves × buckets")
        let outputStride = leafCount * binCount
        rows.positions.withUnsafeBufferPointer { positions in
            rows.sampled.rowIndex.withUnsafeBufferPointer { rowIndex in
                rows.sampled.gradientWeight.withUnsafeBufferPointer { gradientWeight in
                    let cells = cells.baseAddress!
                    for leaf in 0..<leafCount {
                        let leafBase = leaf &* binCount
                        for position in rows.leafStarts[leaf]..<rows.leafStarts[leaf + 1] {
                            let sampled = Int(positions[position])
                            let pair = gradientWeight[sampled]
                            let buckets = block + Int(rowIndex[sampled]) &* width
                            if width == 4 {
                                // The default layout (three Borders priors and Counter): one load.
                                let four = UnsafeRawPointer(buckets).loadUnaligned(as: UInt32.self)
                                cells[leafBase &+ Int(four & 0xFF)] += pair
                                cells[outputStride &+ leafBase &+ Int((four >> 8) & 0xFF)] += pair
                                cells[2 &* outputStride &+ leafBase &+ Int((four >> 16) & 0xFF)] += pair
                                cells[3 &* outputStride &+ leafBase &+ Int(four >> 24)] += pair
                                continue
                            }
                            for output in 0..<width {
                                assert(Int(buckets[output]) < binCount, "bucket past the bins")
                                cells[output &* outputStride &+ leafBase &+ Int(buckets[output])] += pair
                            }
                        }
                    }
                }
            }
        }
    }

    /// The plain reference: every sampled row, its leaf looked up, added cell by cell.
    static func reference(
        block: [UInt8], width: Int, binCount: Int, sampled: SampledRows, leafOfRow: [UInt16], leafCount: Int
    ) -> [SIMD2<Double>] {
        var cells = [SIMD2<Double>](repeating: .zero, count: width * leafCount * binCount)
        for (position, row) in sampled.rowIndex.enumerated() {
            let leaf = Int(leafOfRow[Int(row)])
            for output in 0..<width {
                let bucket = Int(block[Int(row) * width + output])
                cells[(output * leafCount + leaf) * binCount + bucket] += sampled.gradientWeight[position]
            }
        }
        return cells
    }
}
