#if canImport(CMalloc)
import CMalloc
#endif

/// Training allocates and frees arrays of megabytes on every tree level. glibc hands blocks
/// that large back to the kernel (munmap, heap trimming), so each new array faulted its pages in
/// again: 2–3 s of system time per 100 trees on 1M rows, with the threads serialized on the
/// address-space lock. Keeping freed blocks in the heap lets the next array reuse warm pages.
public enum AllocatorTuning {
    /// Process-wide; `symmetree train` calls it once at start.
    public static func keepFreedBlocks() {
        #if canImport(CMalloc)
        // 32 MiB is glibc's ceiling for the mmap threshold on 64-bit; larger blocks (the raw
        // data table) are still mapped, and they are allocated once.
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
