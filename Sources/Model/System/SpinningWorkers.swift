#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Worker threads that stay awake between fork-join passes, as OpenMP's do (libgomp spins
/// `GOMP_SPINCOUNT` times before it sleeps). Training runs dozens of short passes a tree; on
/// small data a pass is over before a sleeping Dispatch worker wakes, so the caller ran every
/// block itself and paid for the wake-up too (diamonds, 43k rows: 1.08–1.38 s with one thread
/// against 1.36–1.81 s with two). A worker here spins for `spinSeconds` after its last block,
/// then sleeps until the next pass.
///
/// One pass at a time: `run` returns nil when a pass is in flight (a nested or concurrent
/// caller), and that caller uses Dispatch instead.
package final class SpinningWorkers: Sendable {
    /// One pass: blocks are claimed from `next` by the caller and the workers alike.
    private final class Pass: Sendable {
        let count: Int
        /// The caller's closure, which outlives the pass: read only by a worker that claimed a
        /// block, and every claimed block finishes before the caller returns.
        nonisolated(unsafe) let body: UnsafePointer<(Int) -> Void>
        let next = Atomic<Int>(0)
        let completed = Atomic<Int>(0)

        init(count: Int, body: UnsafePointer<(Int) -> Void>) {
            self.count = count
            self.body = body
        }

        /// Runs unclaimed blocks until none is left.
        func work() {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                body.pointee(index)
                completed.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    private let current = Mutex<Pass?>(nil)
    private let generation = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    private let spinSeconds: Double
    package let workerCount: Int

    /// Starts `workerCount` threads; they live as long as the process.
    package init(workerCount: Int, spinSeconds: Double = 200e-6) {
        precondition(workerCount >= 0, "negative worker count")
        self.workerCount = workerCount
        self.spinSeconds = spinSeconds
        for _ in 0..<workerCount { Self.startThread { [self] in workerLoop() } }
    }

    /// `body(0) … body(count − 1)` on the workers and the calling thread; nil (nothing run) when
    /// another pass holds the workers.
    package func run(_ count: Int, _ body: (Int) -> Void) -> Void? {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return nil }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escapable in
            var closure = escapable
            withUnsafePointer(to: &closure) { pointer in
                let pass = Pass(count: count, body: pointer)
                current.withLock { $0 = pass }
                generation.wrappingAdd(1, ordering: .releasing)
                let sleeping = sleepers.exchange(0, ordering: .acquiringAndReleasing)
                for _ in 0..<sleeping { wake.signal() }
                pass.work()
                while pass.completed.load(ordering: .acquiring) < count {}
                current.withLock { $0 = nil }
            }
        }
        return ()
    }

    private func workerLoop() {
        var seen = 0
        while true {
            seen = awaitPass(after: seen)
            current.withLock { $0 }?.work()
        }
    }

    /// The next generation after `seen`: spins for `spinSeconds`, then sleeps on `wake` (a
    /// signal meant for an earlier sleep only sends the worker round the loop again).
    private func awaitPass(after seen: Int) -> Int {
        while true {
            let deadline = MonotonicClock.seconds + spinSeconds
            var spins = 0
            while true {
                let now = generation.load(ordering: .acquiring)
                if now != seen { return now }
                spins &+= 1
                if spins & 1023 == 0, MonotonicClock.seconds > deadline { break }
            }
            sleepers.wrappingAdd(1, ordering: .acquiringAndReleasing)
            if generation.load(ordering: .acquiring) == seen { wake.wait() }
        }
    }

    private final class ThreadBody {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private static func startThread(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t? = nil
        #endif
        let result = pthread_create(&thread, nil, { context in
            let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }
}
