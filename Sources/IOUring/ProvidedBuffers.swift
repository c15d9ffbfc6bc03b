#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CURing

/// The receive buffers the kernel picks from (liburing's `io_uring_buf_ring`, io_uring_setup_buf_ring(3)):
/// `count` buffers of `size` bytes and the ring of their descriptors, each freed once by deinit
/// whether or not registration with a ring succeeded.
final class ProvidedBuffers {
    let count: Int
    let size: Int
    /// The descriptor ring, page-aligned as IORING_REGISTER_PBUF_RING requires.
    let ring: UnsafeMutablePointer<io_uring_buf_ring>
    private let ringBytes: Int
    private let storage: UnsafeMutableRawPointer

    init(count: Int, size: Int) throws(EventLoopError) {
        precondition(count > 0 && count <= 32768 && count & (count - 1) == 0, "buffer count must be a power of two ≤ 32768")
        precondition(size > 0)
        self.count = count
        self.size = size
        ringBytes = count * MemoryLayout<io_uring_buf>.stride
        let mapped = mmap(nil, ringBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { throw .errno("mmap buffer ring") }
        ring = mapped.bindMemory(to: io_uring_buf_ring.self, capacity: 1)
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * size, alignment: 4096)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(ring), ringBytes)
        storage.deallocate()
    }

    /// Hands every buffer to the kernel (after the ring is registered).
    func fill() {
        io_uring_buf_ring_init(ring)
        for id in 0..<count { give(back: id, at: Int32(id)) }
        advance(by: Int32(count))
    }

    /// The bytes of buffer `id`, as a CQE names it.
    @inline(__always)
    func buffer(_ id: Int) -> UnsafeMutableRawPointer {
        assert(id >= 0 && id < count, "buffer id \(id) out of range")
        return storage + id * size
    }

    /// Queues buffer `id` for return at `offset` past the ring's tail; `advance` publishes.
    @inline(__always)
    func give(back id: Int, at offset: Int32) {
        io_uring_buf_ring_add(ring, buffer(id), UInt32(size), UInt16(id), io_uring_buf_ring_mask(UInt32(count)), offset)
    }

    func advance(by returned: Int32) {
        io_uring_buf_ring_advance(ring, returned)
    }
}
