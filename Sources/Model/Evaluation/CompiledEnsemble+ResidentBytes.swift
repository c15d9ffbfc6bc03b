extension CompiledEnsemble {
    /// The bytes its tables and arrays hold: what a loaded model costs a server that keeps many
    /// (multi-model endpoints budget memory by it). Allocator rounding and headers come on
    /// top: tens of bytes per table, a few hundred per model. Counts, not capacities: an
    /// array's capacity follows the allocator's rounding, and one model loaded twice must
    /// weigh the same.
    var residentBytes: Int {
        var bytes = MemoryLayout<CompiledEnsemble>.stride
        bytes += buckets.allocatedBytes + bucketBorders.allocatedBytes + coarseBorders.allocatedBytes
        bytes += treeDepths.allocatedBytes + treeSplitStarts.allocatedBytes
        bytes += treeLeafStarts.allocatedBytes + splitBuckets.allocatedBytes + splitThresholds.allocatedBytes
        bytes += leafValues.allocatedBytes
        bytes += splitsByBucket.allocatedBytes + passedEnds.allocatedBytes + passedEndStarts.allocatedBytes
        bytes += paddedLeaves?.values.allocatedBytes ?? 0
        if let searchLevels {
            bytes += searchLevels.floats.allocatedBytes + searchLevels.starts.allocatedBytes
            bytes += searchLevels.levelCounts.allocatedBytes
        }
        if let shuffleGroups {
            bytes += shuffleGroups.tableLanes.allocatedBytes + shuffleGroups.thresholds.allocatedBytes
        }
        return bytes
    }
}
