#if canImport(Glibc)
import Glibc
#endif
import CMPI

/// Open MPI's C library, opened at run time: the one place Train touches `mpi.h`.
///
/// Linking libmpi would make every start of the binary need Open MPI, where one host needs
/// none; so the library is opened with `dlopen` only when a job runs under `mpirun`, and the
/// few entry points used are looked up by name. Open MPI's predefined handles
/// (`MPI_COMM_WORLD`, `MPI_DOUBLE`, `MPI_SUM` …) are macros over global objects
/// (`ompi_mpi_comm_world` … in ompi/include/mpi.h.in), looked up the same way. Those object
/// names are Open MPI's ABI for libmpi.so.40 (Open MPI 3.0 through 4.1), the soname opened.
struct MPILibrary: @unchecked Sendable {
    /// The soname of Open MPI 3.x/4.x (Debian bookworm's openmpi-bin is 4.1).
    static let soname = "libmpi.so.40"

    let initThread: CMPI_Init_thread
    let initialized: CMPI_Initialized
    let finalize: CMPI_Finalize
    let abort: CMPI_Abort
    let commRank: CMPI_Comm_rank
    let commSize: CMPI_Comm_size
    let allreduce: CMPI_Allreduce
    let reduceScatter: CMPI_Reduce_scatter
    let allgather: CMPI_Allgather
    let allgatherv: CMPI_Allgatherv
    let errorString: CMPI_Error_string
    let world: MPI_Comm
    let double: MPI_Datatype
    let byte: MPI_Datatype
    let int32: MPI_Datatype
    let sum: MPI_Op

    /// Opens libmpi (`SYMMETREE_LIBMPI` names another file: an Open MPI installed elsewhere, or
    /// a missing one in the tests), or says why it cannot be opened. RTLD_GLOBAL: Open MPI's own
    /// plugins (mca_*.so, opened by libmpi itself) resolve libmpi's symbols through the global scope.
    static func open() throws(TrainingError) -> MPILibrary {
        let name = getenv("SYMMETREE_LIBMPI").map { String(cString: $0) } ?? soname
        guard let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw TrainingError(
                "this process runs under mpirun (multi-host training), but Open MPI's library cannot be loaded: \(reason). "
                    + "Install Open MPI 4 (Debian: apt-get install openmpi-bin) in the image, or train on one host")
        }
        func symbol<T>(_ symbolName: String, as type: T.Type) throws(TrainingError) -> T {
            guard let address = dlsym(handle, symbolName) else {
                throw TrainingError("\(soname) has no symbol \(symbolName): it is not Open MPI 3/4's library")
            }
            return unsafeBitCast(address, to: type)
        }
        func predefined(_ name: String) throws(TrainingError) -> OpaquePointer {
            OpaquePointer(try symbol(name, as: UnsafeMutableRawPointer.self))
        }
        return MPILibrary(
            initThread: try symbol("MPI_Init_thread", as: CMPI_Init_thread.self),
            initialized: try symbol("MPI_Initialized", as: CMPI_Initialized.self),
            finalize: try symbol("MPI_Finalize", as: CMPI_Finalize.self),
            abort: try symbol("MPI_Abort", as: CMPI_Abort.self),
            commRank: try symbol("MPI_Comm_rank", as: CMPI_Comm_rank.self),
            commSize: try symbol("MPI_Comm_size", as: CMPI_Comm_size.self),
            allreduce: try symbol("MPI_Allreduce", as: CMPI_Allreduce.self),
            reduceScatter: try symbol("MPI_Reduce_scatter", as: CMPI_Reduce_scatter.self),
            allgather: try symbol("MPI_Allgather", as: CMPI_Allgather.self),
            allgatherv: try symbol("MPI_Allgatherv", as: CMPI_Allgatherv.self),
            errorString: try symbol("MPI_Error_string", as: CMPI_Error_string.self),
            world: try predefined("ompi_mpi_comm_world"), double: try predefined("ompi_mpi_double"),
            byte: try predefined("ompi_mpi_byte"), int32: try predefined("ompi_mpi_int32_t"),
            sum: try predefined("ompi_mpi_op_sum"))
    }

    /// Traps with MPI's own description of `code` unless it is MPI_SUCCESS. MPI's default
    /// error handler (MPI_ERRORS_ARE_FATAL) aborts the job before returning an error from a
    /// collective, so a code here means a broken library, not an operating condition.
    func check(_ code: Int32, _ call: String) {
        guard code != CMPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(CMPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        _ = errorString(code, &text, &length)
        preconditionFailure("\(call) failed: \(String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))")
    }

    /// MPI_Init_thread asking for MPI_THREAD_SERIALIZED: training calls MPI from one task at a
    /// time, but Swift's tasks may resume on any thread of the pool.
    func start() throws(TrainingError) -> (rank: Int, rankCount: Int) {
        var provided: Int32 = 0
        check(initThread(nil, nil, CMPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread")
        guard provided >= CMPI_THREAD_SERIALIZED else {
            throw TrainingError("Open MPI offers thread level \(provided); training needs MPI_THREAD_SERIALIZED (\(CMPI_THREAD_SERIALIZED))")
        }
        var rank: Int32 = 0
        var size: Int32 = 0
        check(commRank(world, &rank), "MPI_Comm_rank")
        check(commSize(world, &size), "MPI_Comm_size")
        return (Int(rank), Int(size))
    }

    /// MPI_Allreduce(MPI_IN_PLACE, …, MPI_DOUBLE, MPI_SUM) in pieces of at most Int32.max.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress else { return }
        var start = 0
        while start < values.count {
            let count = min(values.count - start, Int(Int32.max))
            check(allreduce(CMPI_in_place(), base + start, Int32(count), double, sum, world), "MPI_Allreduce")
            start += count
        }
    }

    /// MPI_Reduce_scatter(…, MPI_DOUBLE, MPI_SUM): block `rank` of `values` (blocks of
    /// `blockCounts` doubles, in rank order) becomes the sum over ranks; the other blocks keep
    /// this rank's values. MPI leaves the result at the start of `receive`, copied back.
    func reduceScatterSum(
        _ values: UnsafeMutableBufferPointer<Double>, blockCounts: [Int], rank: Int, receive: ReceiveBuffer
    ) {
        precondition(blockCounts.reduce(0, +) == values.count, "blocks cover the values")
        precondition(values.count <= Int(Int32.max), "a reduce-scatter over 2^31 doubles")
        guard let base = values.baseAddress else { return }
        let counts = blockCounts.map { Int32($0) }
        let offset = blockCounts[..<rank].reduce(0, +)
        let block = receive.doubles(max(1, blockCounts[rank]))
        check(reduceScatter(base, block.baseAddress, counts, double, sum, world), "MPI_Reduce_scatter")
        (base + offset).update(from: block.baseAddress!, count: blockCounts[rank])
    }

    /// MPI_Allgather of the lengths, then MPI_Allgatherv of the bytes.
    func allGather(_ bytes: [UInt8], rankCount: Int) -> [[UInt8]] {
        precondition(bytes.count <= Int(Int32.max), "a gathered message over 2 GiB")
        var length = Int32(bytes.count)
        var lengths = [Int32](repeating: 0, count: rankCount)
        check(allgather(&length, 1, int32, &lengths, 1, int32, world), "MPI_Allgather")
        var offsets = [Int32](repeating: 0, count: rankCount)
        var total = 0
        for rank in 0..<rankCount {
            offsets[rank] = Int32(total)
            total += Int(lengths[rank])
        }
        precondition(total <= Int(Int32.max), "gathered messages over 2 GiB")
        var all = [UInt8](repeating: 0, count: max(total, 1))
        // A rank with nothing to send still passes a valid buffer; MPI reads `length` (0) bytes of it.
        let send = bytes.isEmpty ? [0] : bytes
        check(allgatherv(send, length, byte, &all, lengths, offsets, byte, world), "MPI_Allgatherv")
        return (0..<rankCount).map { Array(all[Int(offsets[$0])..<Int(offsets[$0]) + Int(lengths[$0])]) }
    }
}
