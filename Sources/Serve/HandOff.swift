import Synchronization

/// The two queues between the I/O thread and the batcher: the I/O thread puts the jobs of a
/// whole loop turn into the inbox at once and rings the batcher's one doorbell (an AsyncStream
/// tick) when the inbox was empty; every reply, coalesced or sliced, comes back through the
/// one outbox, which wakes the loop only when it goes from empty to non-empty (one eventfd
/// write per batch).
///
/// Why locks, not an actor or an async channel: the I/O thread is a plain thread running the
/// event loop, not a Swift task, and must never suspend or wait for the cooperative pool (a
/// hop to an actor from it would block the loop until a pool thread is free, and both pool
/// threads may be busy evaluating). A `Mutex` held for one array append or swap costs tens of
/// nanoseconds, taken once per loop turn on each side.
final class HandOff: Sendable {
    private let inbox = Mutex<[InferenceJob]>([])
    private let outbox = Mailbox<InferenceReply>()
    /// Jobs queued or being evaluated; zero means a request may be answered inline.
    private let inProgress = Atomic<Int>(0)

    var isIdle: Bool { inProgress.load(ordering: .acquiring) == 0 }

    /// Returns true when the inbox was empty (the batcher needs a tick).
    func submit(_ jobs: [InferenceJob]) -> Bool {
        inProgress.add(jobs.count, ordering: .releasing)
        return inbox.withLock { queue in
            let wasEmpty = queue.isEmpty
            queue.append(contentsOf: jobs)
            return wasEmpty
        }
    }

    /// Takes queued jobs up to `byteBudget` bytes of bodies (at least one job).
    func take(byteBudget: Int) -> [InferenceJob] {
        inbox.withLock { queue in
            var bytes = 0
            var count = 0
            while count < queue.count, count == 0 || bytes + queue[count].body.count <= byteBudget {
                bytes += queue[count].body.count
                count += 1
            }
            let taken = Array(queue[..<count])
            queue.removeFirst(count)
            return taken
        }
    }

    /// Returns true when the outbox was empty (the loop needs a wake-up).
    func post(_ replies: [InferenceReply]) -> Bool {
        let wasEmpty = outbox.post(contentsOf: replies)
        inProgress.subtract(replies.count, ordering: .releasing)
        return wasEmpty
    }

    func collect() -> [InferenceReply] { outbox.collect() }
}
