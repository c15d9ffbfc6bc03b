import Testing
@testable import Train

@Suite("Candidate CTR histograms")
struct CandidateCTRHistogramsTests {
    /// The plain way: every row's buckets from the reference ordered statistics, then each
    /// sampled row added into its (output, leaf, bucket) cell.
    static func reference(
        ids: [UInt32], classes: [[UInt8]], permutation: [UInt32], layout: CTRLayout, leafOfRow: [UInt16],
        gradientWeightOfRow: [SIMD2<Double>], leafCount: Int, binCount: Int
    ) -> [SIMD2<Double>] {
        let buckets = CategoricalTests.referenceBuckets(ids: ids, classes: classes, permutation: permutation, layout: layout)
        var cells = [SIMD2<Double>](repeating: .zero, count: layout.width * leafCount * binCount)
        for row in ids.indices {
            for output in 0..<layout.width {
                let bucket = Int(buckets[row * layout.width + output])
                cells[(output * leafCount + Int(leafOfRow[row])) * binCount + bucket] += gradientWeightOfRow[row]
            }
        }
        return cells
    }

    @Test("one pass over the permutation gives the reference cells for every CPU type", arguments: [
        "Borders,Counter", "Counter", "Borders", "Borders:TargetBorderCount=3:Prior=0.3,Counter:Prior=0.5",
        "Buckets:TargetBorderCount=2", "BinarizedTargetMeanValue:TargetBorderCount=2:Prior=-0.5:Prior=2",
    ])
    func matchesReference(descriptions: String) throws {
        let layout = CTRLayout(descriptions: try CTRDescription.list(parsing: descriptions, key: "simple_ctr"))
        var random = RandomGenerator(seed: 17)
        let rowCount = 3_000, uniqueCount = 37, leafCount = 8
        // Skewed values, so runs of one value follow each other as in real columns.
        let ids = (0..<rowCount).map { _ in UInt32(min(random.next() % 64, UInt64(uniqueCount - 1))) }
        let classes = layout.descriptions.map { description in
            (0..<rowCount).map { _ in UInt8(random.next() % UInt64(description.classCount)) }
        }
        let permutation = CTRFold.blockPermutation(rowCount: rowCount, random: &random)
        let leafOfRow = (0..<rowCount).map { _ in UInt16(random.next() % UInt64(leafCount)) }
        // Unsampled rows carry zero pairs, as the learner passes them.
        let gradientWeightOfRow: [SIMD2<Double>] = (0..<rowCount).map { _ in
            random.next() % 5 == 0 ? .zero : SIMD2(random.nextUnitInterval() - 0.5, Double(1 + random.next() % 3))
        }
        let binCount = layout.outputs.indices.map { layout.binCount($0) }.max()!
        let cells = ids.withUnsafeBufferPointer { ids in
            permutation.withUnsafeBufferPointer { permutation in
                leafOfRow.withUnsafeBufferPointer { leafOfRow in
                    gradientWeightOfRow.withUnsafeBufferPointer { gradientWeightOfRow in
                        CandidateCTRHistograms.cells(
                            CandidateCTRHistograms.Inputs(
                                ids: ids, uniqueCount: uniqueCount, classes: classes, permutation: permutation,
                                leafOfRow: leafOfRow, gradientWeightOfRow: gradientWeightOfRow, leafCount: leafCount,
                                binCount: binCount),
                            layout: layout)
                    }
                }
            }
        }
        let expected = Self.reference(
            ids: ids, classes: classes, permutation: permutation, layout: layout, leafOfRow: leafOfRow,
            gradientWeightOfRow: gradientWeightOfRow, leafCount: leafCount, binCount: binCount)
        #expect(cells.count == expected.count)
        // The pass adds rows in permutation order, the reference in row order: equal but for rounding.
        let worst = zip(cells, expected).map { pair in
            (0..<2).map { abs(pair.0[$0] - pair.1[$0]) / max(1, abs(pair.1[$0])) }.max()!
        }.max() ?? 0
        #expect(worst < 1e-12, "largest relative difference \(worst)")
        #expect(zip(cells, expected).allSatisfy { $0[1] == $1[1] }, "weights are integers here: exact")
    }
}
