extension Ensemble {
    /// For each float feature, the indexes of the borders some split tests or some CTR
    /// combination narrows by, ascending. Only these reach a compiled evaluator or a trained
    /// model (CatBoost stores no others, and its CTR provider looks a combination's float split
    /// up among its feature's borders).
    package var usedBorderIndexes: [[Int]] {
        var isUsed = features.map { [Bool](repeating: false, count: $0.borders.count) }
        for tree in trees {
            for split in tree.splits where split.featureIndex < features.count {
                isUsed[split.featureIndex][split.borderIndex] = true
            }
        }
        for table in ctrTables {
            for split in table.combination.floatSplits {
                if let position = features[split.floatFeatureIndex].borders.firstIndex(of: split.border) {
                    isUsed[split.floatFeatureIndex][position] = true
                }
            }
        }
        return isUsed.map { flags in flags.indices.filter { flags[$0] } }
    }

    /// The same model with only the float borders `usedBorderIndexes` names, each float split's
    /// border index renumbered to its border's new position.
    package func droppingUnusedBorders() -> Ensemble {
        var result = self
        var renumbered = [[Int]]()
        for (featureIndex, used) in usedBorderIndexes.enumerated() {
            var position = [Int](repeating: -1, count: features[featureIndex].borders.count)
            for (newIndex, oldIndex) in used.enumerated() { position[oldIndex] = newIndex }
            result.features[featureIndex].borders = used.map { features[featureIndex].borders[$0] }
            renumbered.append(position)
        }
        for treeIndex in result.trees.indices {
            for level in result.trees[treeIndex].splits.indices {
                let split = result.trees[treeIndex].splits[level]
                guard split.featureIndex < features.count else { continue }
                result.trees[treeIndex].splits[level].borderIndex = renumbered[split.featureIndex][split.borderIndex]
            }
        }
        return result
    }
}
