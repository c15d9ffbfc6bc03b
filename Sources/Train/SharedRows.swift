/// A pointer into storage that concurrent blocks of rows share; each block touches only its own
/// rows (or its own slot), which is what makes sharing it sound. All the unchecked sendability
/// of training lives here.
struct SharedRows<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>

    init(_ base: UnsafeMutablePointer<Element>) {
        self.base = base
    }

    init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        self.base = buffer.baseAddress!
    }

    init(_ buffer: UnsafeBufferPointer<Element>) {
        self.base = UnsafeMutablePointer(mutating: buffer.baseAddress!)
    }

    subscript(row: Int) -> Element {
        get { base[row] }
        nonmutating set { base[row] = newValue }
    }
}
