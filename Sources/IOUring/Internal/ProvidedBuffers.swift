#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CURing

/// The receive buffers the kernel picks from (liburing's `io_uring_buf_ring`,
/// io_uring_register_buf_ring(3), Linux 5.19): `count` buffers of `size` bytes and the ring of
/// their descriptors, each freed once by deinit whether or not registration with a ring
/// succeeded. A buffer a completion names is the backend's until `giveBack`, and goes back to
/// the kernel when `publishReturns` advances the ring's tail (once per turn).
final class ProvidedBuffers {
    let count: Int
    let size: Int
    /// The descriptor ring, page-aligned as IORING_REGISTER_PBUF_RING requires.
    let ring: UnsafeMutablePointer<io_uring_buf_ring>
    private let ringBytes: Int
    private let storage: UnsafeMutableRawPointer
    /// Per buffer id: named by a completion and not given back yet.
    private var isLent: [Bool]
    /// How many buffers are lent (0 once every completion's buffer went back).
    private(set) var lentCount = 0
    /// Buffers added past the ring's tail since the last `publishReturns`.
    private var returnedCount: Int32 = 0

    init(count: Int, size: Int) throws(EventLoopError) {
        precondition(count > 0 && count <= 32768 && count & (count - 1) == 0, "buffer count must be a power of two ≤ 32768")
        precondition(size > 0 && size <= Int(UInt32.max))
        self.count = count
        self.size = size
        ringBytes = count * MemoryLayout<io_uring_buf>.stride
        let mapped = mmap(nil, ringBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { throw .errno("mmap buffer ring") }
        ring = mapped.bindMemory(to: io_uring_buf_ring.self, capacity: 1)
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * size, alignment: 4096)
        isLent = Array(repeating: false, count: count)
    }

    deinit {
        let unmapped = munmap(UnsafeMutableRawPointer(ring), ringBytes)
        precondition(unmapped == 0, "munmap of the buffer ring failed")
        storage.deallocate()
    }

    /// Hands every buffer to the kernel (after the ring is registered).
    func fill() {
        io_uring_buf_ring_init(ring)
        for id in 0..<count { add(id, at: Int32(id)) }
        io_uring_buf_ring_advance(ring, Int32(count))
    }

    /// A completion named buffer `id`: its bytes, the backend's until `giveBack(id)`.
    @inline(__always)
    func take(_ id: Int) -> UnsafeMutableRawPointer {
        precondition(id >= 0 && id < count, "buffer id \(id) out of range 0..<\(count)")
        precondition(!isLent[id], "buffer \(id) named by a completion while still lent")
        isLent[id] = true
        lentCount += 1
        return storage + id * size
    }

    /// Queues buffer `id` for the kernel again; `publishReturns` makes it visible.
    @inline(__always)
    func giveBack(_ id: Int) {
        precondition(id >= 0 && id < count && isLent[id], "buffer \(id) given back but not lent")
        isLent[id] = false
        lentCount -= 1
        add(id, at: returnedCount)
        returnedCount += 1
        assert(returnedCount <= Int32(count), "more buffers returned than exist")
    }

    /// Advances the ring's tail past the buffers given back since the last call.
    func publishReturns() {
        guard returnedCount > 0 else { return }
        io_uring_buf_ring_advance(ring, returnedCount)
        returnedCount = 0
    }

    @inline(__always)
    private func add(_ id: Int, at offset: Int32) {
        io_uring_buf_ring_add(ring, storage + id * size, UInt32(size), UInt16(id), io_uring_buf_ring_mask(UInt32(count)), offset)
    }
}
