extension CompiledEnsemble {
    /// Every table the evaluator's kernels read, borrowed once per call as pointers, in the shape
    /// of swift-collections' `Deque._UnsafeHandle`: a run of a table is reached only through an
    /// accessor that asserts the offset lies inside it, and no table's address is a sentinel
    /// (a `KernelTable` always has a real allocation). Valid only inside `withUnsafeHandle`.
    ///
    /// Built once, when the ensemble is compiled, and stored beside the tables it points into
    /// (which never move or change): building it per call cost a single-row prediction 16%.
    // Sendable: it only reads tables that are written once, before it is built.
    struct UnsafeHandle: @unchecked Sendable {
        let buckets: UnsafeBufferPointer<Bucket>
        let bucketBorders: UnsafeBufferPointer<Float>
        let coarseBorders: UnsafeBufferPointer<Float>
        let splitBuckets: UnsafeBufferPointer<Int32>
        let splitThresholds: UnsafeBufferPointer<UInt8>
        let leafValues: UnsafeBufferPointer<Double>
        let treeLeafStarts: UnsafeBufferPointer<Int>
        let treeDepths: UnsafeBufferPointer<Int>
        let treeSplitStarts: UnsafeBufferPointer<Int>
        let splitsByBucket: UnsafeBufferPointer<UInt64>
        let passedEnds: UnsafeBufferPointer<Int32>
        let passedEndStarts: UnsafeBufferPointer<Int>
        /// The byte-shuffle layout's tables, when the model has one.
        let shuffles: Shuffles?
        /// `CompiledEnsemble.paddedLeaves`, when the model has them.
        let paddedLeaves: PaddedLeaves?
        /// `CompiledEnsemble.searchLevels`, when built.
        let searchLevels: SearchLevels?

        struct SearchLevels: @unchecked Sendable {
            let floats: UnsafeBufferPointer<Float>
            let starts: UnsafeBufferPointer<Int>
            let levelCounts: UnsafeBufferPointer<Int>
        }

        struct PaddedLeaves: @unchecked Sendable {
            let strideShift: Int
            let values: UnsafeBufferPointer<Double>
        }

        struct Shuffles: @unchecked Sendable {
            let tableCount: Int
            let leafStrideShift: Int
            let tableLanes: UnsafeBufferPointer<SIMD16<UInt8>>
            let thresholds: UnsafeBufferPointer<SIMD16<Int8>>
            let leafValues: UnsafeBufferPointer<Double>
        }

        /// Points at nothing; a compiled ensemble holds it only until its tables exist.
        init() {
            buckets = UnsafeBufferPointer(start: nil, count: 0)
            bucketBorders = UnsafeBufferPointer(start: nil, count: 0)
            coarseBorders = UnsafeBufferPointer(start: nil, count: 0)
            splitBuckets = UnsafeBufferPointer(start: nil, count: 0)
            splitThresholds = UnsafeBufferPointer(start: nil, count: 0)
            leafValues = UnsafeBufferPointer(start: nil, count: 0)
            treeLeafStarts = UnsafeBufferPointer(start: nil, count: 0)
            treeDepths = UnsafeBufferPointer(start: nil, count: 0)
            treeSplitStarts = UnsafeBufferPointer(start: nil, count: 0)
            splitsByBucket = UnsafeBufferPointer(start: nil, count: 0)
            passedEnds = UnsafeBufferPointer(start: nil, count: 0)
            passedEndStarts = UnsafeBufferPointer(start: nil, count: 0)
            paddedLeaves = nil
            searchLevels = nil
            shuffles = nil
        }

        init(_ compiled: CompiledEnsemble) {
            buckets = compiled.buckets.unsafeElements
            bucketBorders = compiled.bucketBorders.unsafeElements
            coarseBorders = compiled.coarseBorders.unsafeElements
            splitBuckets = compiled.splitBuckets.unsafeElements
            splitThresholds = compiled.splitThresholds.unsafeElements
            leafValues = compiled.leafValues.unsafeElements
            treeLeafStarts = compiled.treeLeafStarts.unsafeElements
            treeDepths = compiled.treeDepths.unsafeElements
            treeSplitStarts = compiled.treeSplitStarts.unsafeElements
            splitsByBucket = compiled.splitsByBucket.unsafeElements
            passedEnds = compiled.passedEnds.unsafeElements
            passedEndStarts = compiled.passedEndStarts.unsafeElements
            searchLevels = compiled.searchLevels.map { levels in
                SearchLevels(
                    floats: levels.floats.unsafeElements, starts: levels.starts.unsafeElements,
                    levelCounts: levels.levelCounts.unsafeElements)
            }
            paddedLeaves = compiled.paddedLeaves.map { PaddedLeaves(strideShift: $0.strideShift, values: $0.values.unsafeElements) }
            shuffles = compiled.shuffleGroups.map { groups in
                Shuffles(
                    tableCount: groups.tableCount, leafStrideShift: compiled.paddedLeaves!.strideShift,
                    tableLanes: groups.tableLanes.unsafeElements, thresholds: groups.thresholds.unsafeElements,
                    leafValues: compiled.paddedLeaves!.values.unsafeElements)
            }
        }

        /// `table` from `offset` on; `offset == table.count` (an empty run) is allowed.
        @inline(__always)
        static func pointer<Element>(_ table: UnsafeBufferPointer<Element>, at offset: Int) -> UnsafePointer<Element> {
            assert(offset >= 0, "negative table offset")
            assert(offset <= table.count, "offset \(offset) past a table of \(table.count)")
            return table.baseAddress.unsafelyUnwrapped + offset
        }

        @inline(__always) func bucketBorders(at offset: Int) -> UnsafePointer<Float> { Self.pointer(bucketBorders, at: offset) }
        @inline(__always) func coarseBorders(at offset: Int) -> UnsafePointer<Float> { Self.pointer(coarseBorders, at: offset) }
        @inline(__always) func splitBuckets(at offset: Int) -> UnsafePointer<Int32> { Self.pointer(splitBuckets, at: offset) }
        @inline(__always) func splitThresholds(at offset: Int) -> UnsafePointer<UInt8> { Self.pointer(splitThresholds, at: offset) }
        @inline(__always) func leafValues(at offset: Int) -> UnsafePointer<Double> { Self.pointer(leafValues, at: offset) }
        @inline(__always) func treeLeafStarts(at offset: Int) -> UnsafePointer<Int> { Self.pointer(treeLeafStarts, at: offset) }
        @inline(__always) func splitsByBucket(at offset: Int) -> UnsafePointer<UInt64> { Self.pointer(splitsByBucket, at: offset) }
        @inline(__always) func passedEnds(at offset: Int) -> UnsafePointer<Int32> { Self.pointer(passedEnds, at: offset) }
        @inline(__always) func passedEndStarts(at offset: Int) -> UnsafePointer<Int> { Self.pointer(passedEndStarts, at: offset) }
    }

    /// Runs `body` with every kernel table borrowed; the tables live at least as long.
    @inline(__always)
    func withUnsafeHandle<Result>(_ body: (UnsafeHandle) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(self) { try body(handle) }
    }
}
