import Model
import Testing
@testable import Train

@Suite("Quantization")
struct QuantizationTests {
    @Test("binning a table column by column counts the borders strictly below each value", arguments: [NanMode.min, .max])
    func binsMatchBinFor(nanMode: NanMode) async throws {
        var random = RandomGenerator(seed: 11)
        let rowCount = 5000
        let columns: [[Float]] = (0..<4).map { column in
            (0..<rowCount).map { row in
                if row % 97 == column { return .nan }
                // Few distinct values in column 0 (values land on borders), a spread elsewhere.
                return column == 0 ? Float(random.next() % 7) : Float(random.nextGaussianPair().0)
            }
        }
        let table = DataTable(columns: columns, targets: [Float](repeating: 0, count: rowCount))
        for borderCount in [1, 5, 254] {
            let quantizer = try await FeatureQuantizer(
                table: table, borderCount: borderCount, nanMode: nanMode, random: &random, threadCount: 2)
            let bins = await quantizer.bins(of: table, threadCount: 2)
            #expect(bins.count == rowCount * columns.count)
            for (index, column) in columns.enumerated() {
                let feature = quantizer.features[index]
                // The specification, counted plainly: borders strictly below the value, NaN first
                // replaced as the feature's nan_value_treatment says.
                func countBelow(_ x: Float) -> UInt8 {
                    let value = x.isNaN ? (feature.nanValueTreatment == .asTrue ? Float.infinity : -.infinity) : x
                    return UInt8(feature.borders.count(where: { $0 < value }))
                }
                let expected = column.map(countBelow)
                #expect(Array(bins[(index * rowCount)..<((index + 1) * rowCount)]) == expected, "column \(index), \(borderCount) borders")
                #expect(column.map { UInt8(feature.bin(for: $0)) } == expected)
                // Borders themselves and their neighbours are the edge cases of "strictly below".
                let probes = feature.borders.flatMap { [$0, $0.nextUp, $0.nextDown] } + [.nan, .infinity, -.infinity]
                #expect(quantizer.bins(of: probes, feature: index) == probes.map(countBelow))
            }
        }
    }
}
