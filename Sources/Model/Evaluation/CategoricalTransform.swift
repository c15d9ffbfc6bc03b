/// Turns rows that carry category hashes into rows the numeric evaluator reads, so categorical
/// models run on the same compiled kernels as numeric ones.
///
/// An input row has `inputColumnCount` floats; a categorical column holds its value's
/// `CategoryHash` as a bit pattern. The output row appends one column per one-hot value (1 when
/// the row's hash is that value, else 0; split at 0.5) and one per CTR feature (its value,
/// split at the CTR's borders). `numericEnsemble` is the model re-expressed over those columns.
struct CategoricalTransform: Sendable {
    /// A one-hot value's test: "does `inputColumn` hold `value`?".
    struct Indicator: Sendable {
        var inputColumn: Int
        var value: UInt32
    }

    /// A CTR table and the CTR features that read it: one key per row serves them all.
    struct TableReader: Sendable {
        var categoricalColumns: [Int]
        var floatSplits: [FloatSplitTest]
        var oneHotSplits: [Indicator]
        var table: CTRTable
        var ctrs: [CTRFeature]
        /// Output column of each of `ctrs`.
        var outputColumns: [Int]
    }

    struct FloatSplitTest: Sendable {
        var inputColumn: Int
        var nanValueTreatment: NanValueTreatment
        var border: Float
    }

    let inputColumnCount: Int
    let outputColumnCount: Int
    let indicators: [Indicator]
    let readers: [TableReader]
    /// The model over the output columns: float features only.
    let numericEnsemble: Ensemble

    init(_ ensemble: Ensemble) {
        inputColumnCount = ensemble.columnCount
        let column = { (feature: Int) in ensemble.categoricalFeatures[feature].columnIndex }
        var indicators: [Indicator] = []
        var oneHotStarts: [Int] = []
        for oneHot in ensemble.oneHotFeatures {
            oneHotStarts.append(ensemble.features.count + indicators.count)
            indicators += oneHot.values.map { Indicator(inputColumn: column(oneHot.categoricalFeatureIndex), value: $0) }
        }
        let ctrStart = inputColumnCount + indicators.count
        outputColumnCount = ctrStart + ensemble.ctrFeatures.count
        self.indicators = indicators
        readers = ensemble.ctrTables.indices.compactMap { tableIndex in
            let ctrIndexes = ensemble.ctrFeatures.indices.filter { ensemble.ctrFeatures[$0].tableIndex == tableIndex }
            guard !ctrIndexes.isEmpty else { return nil }
            let table = ensemble.ctrTables[tableIndex]
            return TableReader(
                categoricalColumns: table.combination.categoricalFeatures.map(column),
                floatSplits: table.combination.floatSplits.map { split in
                    let feature = ensemble.features[split.floatFeatureIndex]
                    return FloatSplitTest(
                        inputColumn: feature.columnIndex, nanValueTreatment: feature.nanValueTreatment, border: split.border)
                },
                oneHotSplits: table.combination.oneHotSplits.map {
                    Indicator(inputColumn: column($0.categoricalFeatureIndex), value: $0.value)
                },
                table: table, ctrs: ctrIndexes.map { ensemble.ctrFeatures[$0] }, outputColumns: ctrIndexes.map { ctrStart + $0 })
        }
        numericEnsemble = Self.numericEnsemble(of: ensemble, indicatorCount: indicators.count, oneHotStarts: oneHotStarts)
    }

    /// The float features of `ensemble`, then one per indicator column, then one per CTR column;
    /// one-hot and CTR splits renumbered onto them.
    private static func numericEnsemble(of ensemble: Ensemble, indicatorCount: Int, oneHotStarts: [Int]) -> Ensemble {
        let inputColumnCount = ensemble.columnCount
        var features = ensemble.features
        for indicator in 0..<indicatorCount {
            features.append(FloatFeature(columnIndex: inputColumnCount + indicator, borders: [0.5]))
        }
        for (index, ctr) in ensemble.ctrFeatures.enumerated() {
            features.append(FloatFeature(columnIndex: inputColumnCount + indicatorCount + index, borders: ctr.borders))
        }
        var trees = ensemble.trees
        for treeIndex in trees.indices {
            for level in trees[treeIndex].splits.indices {
                let split = trees[treeIndex].splits[level]
                switch ensemble.splitFeature(at: split.featureIndex) {
                case .float: continue
                case .oneHot(let index):
                    trees[treeIndex].splits[level] = TreeSplit(featureIndex: oneHotStarts[index] + split.borderIndex, borderIndex: 0)
                case .ctr(let index):
                    trees[treeIndex].splits[level].featureIndex = ensemble.features.count + indicatorCount + index
                }
            }
        }
        return Ensemble(
            features: features, trees: trees, scale: ensemble.scale, bias: ensemble.bias,
            lossFunction: ensemble.lossFunction, parametersJSON: ensemble.parametersJSON)
    }

    /// Writes `rowCount` output rows for as many input rows.
    func apply(rows input: UnsafePointer<Float>, rowCount: Int, into output: UnsafeMutablePointer<Float>) {
        for row in 0..<rowCount {
            apply(row: input + row * inputColumnCount, into: output + row * outputColumnCount)
        }
    }

    @inline(__always)
    func apply(row input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        output.update(from: input, count: inputColumnCount)
        var column = inputColumnCount
        for indicator in indicators {
            output[column] = Self.hash(input[indicator.inputColumn]) == indicator.value ? 1 : 0
            column += 1
        }
        for reader in readers {
            let entry = reader.table.entry(for: Self.key(of: input, reader: reader))
            for (ctr, outputColumn) in zip(reader.ctrs, reader.outputColumns) {
                output[outputColumn] = ctr.value(in: reader.table, entry: entry)
            }
        }
    }

    /// The row's key in the reader's table (`CalcHashes`, `catboost/libs/model/ctr_provider.h`).
    @inline(__always)
    static func key(of row: UnsafePointer<Float>, reader: TableReader) -> UInt64 {
        var key: UInt64 = 0
        for column in reader.categoricalColumns {
            key = FeatureCombination.mix(key, category: hash(row[column]))
        }
        for split in reader.floatSplits {
            let passes = split.nanValueTreatment.substitute(row[split.inputColumn]) > split.border
            key = FeatureCombination.mix(key, passes ? 1 : 0)
        }
        for split in reader.oneHotSplits {
            key = FeatureCombination.mix(key, hash(row[split.inputColumn]) == split.value ? 1 : 0)
        }
        return key
    }

    @inline(__always)
    private static func hash(_ stored: Float) -> UInt32 { CategoryHash.hash(storedIn: stored) }
}
