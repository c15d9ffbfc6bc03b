import Model

/// Turns a categorical run's trees into an `Ensemble` as CatBoost's model saver does
/// (catboost/private/libs/algo/full_model_saver.cpp): float features with their borders,
/// every categorical feature, the one-hot values splits use, and for every CTR a split uses its
/// `TModelCtr` (prior, shift, scale = border count / norm, the used borders at
/// bucket + 0.999999f) and its table of whole-learn-set statistics per (projection, CTR type).
struct CategoricalModelBuilder {
    let floatFeatures: [FloatFeature]
    let categoricalFeatures: [CategoricalFeature]
    let columns: [CategoricalColumn]
    /// Per static feature: the categorical column of a one-hot feature, nil for a float one.
    let oneHotColumn: [Int?]
    let store: CTRStore

    /// A CTR feature of the model: one output of one projection.
    private struct CTRKey: Hashable {
        var projection: Projection
        var output: Int
    }

    func ensemble(
        trees: [(splits: [CategoricalSplit], leafValues: [Double], leafWeights: [Double])], bias: Double, lossFunction: String
    ) -> Ensemble {
        var oneHotValues: [Int: Set<Int>] = [:]  // static feature → used value ids
        var ctrBorders: [CTRKey: Set<Int>] = [:]
        for tree in trees {
            for split in tree.splits {
                switch split {
                case .staticFeature(let feature, let borderIndex):
                    if oneHotColumn[feature] != nil { oneHotValues[feature, default: []].insert(borderIndex) }
                case .ctr(let projection, let output, let borderIndex):
                    ctrBorders[CTRKey(projection: projection, output: output), default: []].insert(borderIndex)
                }
            }
        }
        // One-hot features in static order, values by signed hash as CatBoost lists them.
        let oneHotFeatures = oneHotValues.keys.sorted()
        var oneHotValueOrder: [Int: [Int]] = [:]
        for feature in oneHotFeatures {
            let column = columns[oneHotColumn[feature]!]
            oneHotValueOrder[feature] = oneHotValues[feature]!.sorted { Int32(bitPattern: column.hashes[$0]) < Int32(bitPattern: column.hashes[$1]) }
        }
        let ctrKeys = ctrBorders.keys.sorted { ($0.projection, $0.output) < ($1.projection, $1.output) }
        let (tables, tableIndex) = ctrTables(for: ctrKeys)
        var ensemble = Ensemble(
            features: floatFeatures, categoricalFeatures: categoricalFeatures,
            oneHotFeatures: oneHotFeatures.map { feature in
                let column = oneHotColumn[feature]!
                return OneHotFeature(categoricalFeatureIndex: column, values: oneHotValueOrder[feature]!.map { columns[column].hashes[$0] })
            },
            ctrFeatures: ctrKeys.map { key in
                ctrFeature(key, borders: ctrBorders[key]!.sorted(), tableIndex: tableIndex[UsedTable(type: type(of: key), projection: key.projection)]!)
            },
            ctrTables: tables, trees: [], scale: 1, bias: bias, lossFunction: lossFunction)
        let floatCount = floatFeatures.count
        ensemble.trees = trees.map { tree in
            ObliviousTree(
                splits: tree.splits.map { split in
                    switch split {
                    case .staticFeature(let feature, let borderIndex):
                        guard oneHotColumn[feature] != nil else { return TreeSplit(featureIndex: feature, borderIndex: borderIndex) }
                        return TreeSplit(
                            featureIndex: floatCount + oneHotFeatures.firstIndex(of: feature)!,
                            borderIndex: oneHotValueOrder[feature]!.firstIndex(of: borderIndex)!)
                    case .ctr(let projection, let output, let borderIndex):
                        let key = CTRKey(projection: projection, output: output)
                        return TreeSplit(
                            featureIndex: floatCount + oneHotFeatures.count + ctrKeys.firstIndex(of: key)!,
                            borderIndex: ctrBorders[key]!.sorted().firstIndex(of: borderIndex)!)
                    }
                }, leafValues: tree.leafValues, leafWeights: tree.leafWeights)
        }
        return ensemble.droppingUnusedBorders()
    }

    private func type(of key: CTRKey) -> CTRType {
        let layout = store.layout(key.projection)
        return layout.descriptions[layout.outputs[key.output].description].type
    }

    private func ctrFeature(_ key: CTRKey, borders: [Int], tableIndex: Int) -> CTRFeature {
        let layout = store.layout(key.projection)
        let output = layout.outputs[key.output]
        let description = layout.descriptions[output.description]
        let prior = description.priors[output.priorIndex]
        let (shift, norm) = CTRLayout.normalization(prior: prior)
        return CTRFeature(
            combination: combination(key.projection), type: description.type, tableIndex: tableIndex,
            targetBorderIndex: output.targetBorderIndex, priorNumerator: prior, priorDenominator: 1, shift: shift,
            scale: Float(description.ctrBorderCount) / norm, borders: borders.map { CTRLayout.modelBorder(bucketIndex: $0) })
    }

    /// One table per (projection, CTR type), from the whole learn set.
    private func ctrTables(for keys: [CTRKey]) -> ([CTRTable], [UsedTable: Int]) {
        var tables: [CTRTable] = []
        var tableIndex: [UsedTable: Int] = [:]
        for key in keys {
            let used = UsedTable(type: type(of: key), projection: key.projection)
            guard tableIndex[used] == nil else { continue }
            let layout = store.layout(key.projection)
            let index = store.index(key.projection)
            let keys = store.keys(key.projection)
            let statistics = FinalCTRStatistics(index: index, layout: layout, store: store)
            let description = layout.outputs[key.output].description
            let ctrType = layout.descriptions[description].type
            tableIndex[used] = tables.count
            let combination = combination(key.projection)
            switch ctrType {
            case .counter:
                tables.append(CTRTable(
                    combination: combination, type: .counter, stride: 1, counterDenominator: statistics.counterDenominator,
                    keys: keys, counts: statistics.valueCounts))
            case .binarizedTargetMeanValue:
                let classCount = layout.descriptions[description].classCount
                let borderCount = Float(layout.descriptions[description].targetBorderCount)
                let counts = statistics.counts[description]
                let sums = (0..<index.uniqueCount).map { id in
                    (0..<classCount).reduce(Float(0)) { $0 + Float(counts[id * classCount + $1]) * (Float($1) / borderCount) }
                }
                tables.append(CTRTable(
                    combination: combination, type: ctrType, stride: 1, keys: keys, counts: statistics.valueCounts, sums: sums))
            default:
                tables.append(CTRTable(
                    combination: combination, type: ctrType, stride: layout.descriptions[description].classCount, keys: keys,
                    counts: statistics.counts[description]))
            }
        }
        return (tables, tableIndex)
    }

    /// The model's `FeatureCombination` of a projection: categorical feature indexes, float splits
    /// as (float feature, border value), one-hot outcomes as (categorical feature, hash).
    func combination(_ projection: Projection) -> FeatureCombination {
        FeatureCombination(
            categoricalFeatures: projection.categorical,
            floatSplits: projection.floatSplits.map {
                FeatureCombination.FloatSplit(floatFeatureIndex: $0.feature, border: floatFeatures[$0.feature].borders[$0.borderIndex])
            },
            oneHotSplits: projection.oneHotSplits.map {
                FeatureCombination.OneHotSplit(categoricalFeatureIndex: $0.categorical, value: columns[$0.categorical].hashes[Int($0.valueID)])
            })
    }
}
