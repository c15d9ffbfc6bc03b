/// An immutable array the evaluator's kernels read through pointers: its elements sit in one
/// allocation that never moves while the table lives, so a compiled ensemble's tables can be
/// borrowed once per call (`CompiledEnsemble.UnsafeHandle`) instead of through one
/// `withUnsafeBufferPointer` closure per array. The allocation holds at least one element's
/// room, so even an empty table has a real address and no caller needs a sentinel pointer.
final class KernelTable<Element: Sendable>: @unchecked Sendable, RandomAccessCollection {
    // Sendable: the elements are written once, in `init`, and only read afterwards.
    private let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ elements: [Element]) {
        count = elements.count
        base = .allocate(capacity: Swift.max(count, 1))
        elements.withUnsafeBufferPointer { elements in
            if let source = elements.baseAddress { base.initialize(from: source, count: count) }
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// The bytes of its allocation (at least one element's room).
    var allocatedBytes: Int { Swift.max(count, 1) * MemoryLayout<Element>.stride }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Element {
        precondition(position >= 0, "negative table index")
        precondition(position < count, "table index \(position) past \(count) elements")
        return base[position]
    }

    /// The elements, valid while the table is (callers keep it alive with `withExtendedLifetime`
    /// or by holding it in a value that outlives the pointer's use).
    var unsafeElements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}
