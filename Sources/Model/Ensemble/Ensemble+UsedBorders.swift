extension Ensemble {
    /// For each feature, the indexes of the borders some split tests, ascending. Only these
    /// reach a compiled evaluator or a trained model (CatBoost stores no others).
    package var usedBorderIndexes: [[Int]] {
        var isUsed = features.map { [Bool](repeating: false, count: $0.borders.count) }
        for tree in trees {
            for split in tree.splits { isUsed[split.featureIndex][split.borderIndex] = true }
        }
        return isUsed.map { flags in flags.indices.filter { flags[$0] } }
    }

    /// The same model with only the borders some split uses, each split's border index
    /// renumbered to its border's new position.
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
                result.trees[treeIndex].splits[level].borderIndex = renumbered[split.featureIndex][split.borderIndex]
            }
        }
        return result
    }
}
