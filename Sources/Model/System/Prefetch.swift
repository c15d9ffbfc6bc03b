/// LLVM's `llvm.prefetch` intrinsic (LLVM LangRef, "'llvm.prefetch' Intrinsic"): Swift has no
/// prefetch of its own, and clang's `_mm_prefetch` is a macro the importer cannot see. A function
/// whose symbol names an intrinsic is lowered to the intrinsic itself (PREFETCHT0 on x86-64).
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)

/// Asks the CPU to bring the line holding `address` into every cache level for a read. Unlike a
/// load, a prefetch does not hold up retirement while it misses, so many can be in flight while
/// the CPU goes on with other work.
@inline(__always)
func prefetchForRead(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 0, 3, 1)
}
