import IOUring
import Model
import Synchronization

/// Rows of one /invocations request on their way to the model.
struct InferenceJob: Sendable {
    var connection: ConnectionID
    /// Matches the reply to the request it answers (a timed-out request's late reply is dropped).
    var sequence: UInt64
    var features: [Float]
    var rowCount: Int
    var format: PayloadFormat
}

struct InferenceReply: Sendable {
    var connection: ConnectionID
    var sequence: UInt64
    var response: HTTPResponse
}

/// The two queues between the I/O thread and the batcher: the I/O thread puts the jobs of a
/// whole loop turn into the inbox at once; the batcher posts replies to the outbox and wakes the
/// loop only when the outbox goes from empty to non-empty (one eventfd write per batch).
final class HandOff: Sendable {
    private let inbox = Mutex<[InferenceJob]>([])
    private let outbox = Mutex<[InferenceReply]>([])
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

    /// Takes queued jobs up to `rowBudget` rows (at least one job).
    func take(rowBudget: Int) -> [InferenceJob] {
        inbox.withLock { queue in
            var rows = 0
            var count = 0
            while count < queue.count, count == 0 || rows + queue[count].rowCount <= rowBudget {
                rows += queue[count].rowCount
                count += 1
            }
            let taken = Array(queue[..<count])
            queue.removeFirst(count)
            return taken
        }
    }

    var hasQueuedJobs: Bool { inbox.withLock { !$0.isEmpty } }

    /// Returns true when the outbox was empty (the loop needs a wake-up).
    func post(_ replies: [InferenceReply]) -> Bool {
        let wasEmpty = outbox.withLock { queue in
            let wasEmpty = queue.isEmpty
            queue.append(contentsOf: replies)
            return wasEmpty
        }
        inProgress.subtract(replies.count, ordering: .releasing)
        return wasEmpty
    }

    func collect() -> [InferenceReply] {
        outbox.withLock { queue in
            let replies = queue
            queue.removeAll()
            return replies
        }
    }
}

/// Coalesces the rows of every request that arrived during a loop turn (up to a row budget)
/// into one pass of the fast evaluator, then formats each request's reply.
actor Batcher {
    let evaluator: Evaluator
    let handOff: HandOff
    let waker: Waker
    let rowBudget: Int
    private(set) var passCount = 0
    private(set) var jobCount = 0

    init(evaluator: Evaluator, handOff: HandOff, waker: Waker, rowBudget: Int) {
        self.evaluator = evaluator
        self.handOff = handOff
        self.waker = waker
        self.rowBudget = rowBudget
    }

    /// Evaluates everything queued, one pass per row budget.
    func drain() {
        while true {
            let jobs = handOff.take(rowBudget: rowBudget)
            guard !jobs.isEmpty else { return }
            let replies = Self.evaluate(jobs, evaluator: evaluator)
            passCount += 1
            jobCount += jobs.count
            if handOff.post(replies) { waker.wake() }
        }
    }

    /// One evaluation pass over all jobs' rows, then one response per job.
    static func evaluate(_ jobs: [InferenceJob], evaluator: Evaluator) -> [InferenceReply] {
        let predictions: [Double]
        if jobs.count == 1 {
            predictions = evaluator.predict(features: jobs[0].features, rowCount: jobs[0].rowCount)
        } else {
            var features: [Float] = []
            features.reserveCapacity(jobs.reduce(0) { $0 + $1.features.count })
            for job in jobs { features.append(contentsOf: job.features) }
            predictions = evaluator.predict(features: features, rowCount: jobs.reduce(0) { $0 + $1.rowCount })
        }
        var start = 0
        return jobs.map { job in
            let slice = predictions[start..<(start + job.rowCount)]
            start += job.rowCount
            return InferenceReply(
                connection: job.connection, sequence: job.sequence,
                response: HTTPResponse(
                    status: 200, contentType: job.format.rawValue, body: InvocationCodec.encode(slice, format: job.format)))
        }
    }
}
