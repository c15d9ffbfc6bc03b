import Synchronization
import Testing
@testable import Model

@Suite("Spinning workers")
struct SpinningWorkersTests {
    @Test("every block of every pass runs exactly once, with the workers awake and after they slept", arguments: [1, 3])
    func blocksRunOnce(workerCount: Int) async throws {
        let workers = SpinningWorkers(workerCount: workerCount, spinSeconds: 50e-6)
        for round in 0..<400 {
            let count = 2 + round % 17
            // Each block writes only its own slot.
            let runs = Slots(count: count)
            defer { runs.base.deallocate() }
            let ran = workers.run(count) { index in runs.base[index] += 1 } != nil
            #expect(ran)
            #expect(UnsafeBufferPointer(start: runs.base, count: count).allSatisfy { $0 == 1 }, "round \(round)")
            if round % 50 == 0 { try await Task.sleep(for: .milliseconds(2)) }  // past the spin: the workers sleep
        }
    }

    @Test("the workers take part: a pass whose blocks wait for each other completes")
    func workersTakePart() {
        let workers = SpinningWorkers(workerCount: 1)
        // Block 0 waits until block 1 has started, which only another thread can do while the
        // caller is inside block 0.
        let started = Atomic<Bool>(false)
        let ran = workers.run(2) { index in
            if index == 1 { started.store(true, ordering: .releasing) } else {
                while !started.load(ordering: .acquiring) {}
            }
        } != nil
        #expect(ran && started.load(ordering: .relaxed))
    }

    @Test("a pass started inside a pass is refused (its caller falls back), and ForkJoin.map still returns every block")
    func nestedPassIsRefused() {
        let workers = SpinningWorkers(workerCount: 1)
        let refused = Atomic<Int>(0)
        _ = workers.run(4) { _ in
            if workers.run(2, { _ in }) == nil { refused.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(refused.load(ordering: .relaxed) == 4)
        ForkJoin.installSpinningWorkers(count: 1)
        let nested = ForkJoin.map(3) { outer in ForkJoin.map(5) { inner in outer * 10 + inner } }
        #expect(nested == (0..<3).map { outer in (0..<5).map { outer * 10 + $0 } })
    }
}

/// Per-block counters the blocks of one pass write, one slot each.
private struct Slots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Int>
    init(count: Int) {
        base = .allocate(capacity: count)
        base.initialize(repeating: 0, count: count)
    }
}
