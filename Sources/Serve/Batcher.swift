import IOUring
import Model
import Synchronization

/// One /invocations request on its way to the model, body still encoded: decoding is most of
/// the work for large bodies, so it happens off the I/O thread, spread over the cores.
struct InferenceJob: Sendable {
    var connection: ConnectionID
    /// Matches the reply to the request it answers (a timed-out request's late reply is dropped).
    var sequence: UInt64
    var body: [UInt8]
    var inputFormat: PayloadFormat
    var outputFormat: PayloadFormat
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

/// Coalesces the rows of every request that arrived during a loop turn (up to a byte budget)
/// into one pass of the fast evaluator, then formats each request's reply. A large CSV body is
/// not coalesced: it is answered on its own, in parallel slices, as soon as it is taken.
actor Batcher {
    let evaluator: Evaluator
    let handOff: HandOff
    let waker: Waker
    let byteBudget: Int
    let parallelism: Int
    private(set) var passCount = 0
    private(set) var jobCount = 0

    init(evaluator: Evaluator, handOff: HandOff, waker: Waker, byteBudget: Int, parallelism: Int) {
        self.evaluator = evaluator
        self.handOff = handOff
        self.waker = waker
        self.byteBudget = byteBudget
        self.parallelism = max(1, parallelism)
    }

    /// Evaluates everything queued, one pass per byte budget; large CSV bodies are started on
    /// their own and answered when their slices are done.
    func drain() async {
        while true {
            let jobs = handOff.take(byteBudget: byteBudget)
            guard !jobs.isEmpty else { return }
            var coalesced: [InferenceJob] = []
            for job in jobs {
                if Self.isAnsweredAlone(job, parallelism: parallelism) { answerAlone(job) } else { coalesced.append(job) }
            }
            guard !coalesced.isEmpty else { continue }
            let replies = await Self.evaluate(coalesced, evaluator: evaluator, parallelism: parallelism)
            passCount += 1
            jobCount += coalesced.count
            if handOff.post(replies) { waker.wake() }
        }
    }

    /// A CSV body worth cutting into slices (>= 256 KiB on two cores). Coalescing pays for small
    /// bodies, whose fixed costs it shares; a large body's rows are better scored where they
    /// were decoded than copied into a joint matrix, and its reply need not wait for the rest of
    /// a pass: answered alone, and with each body's slices queued behind the last's, under load
    /// every large body waits its turn once, where in passes of several the first ones also
    /// waited for the last.
    static func isAnsweredAlone(_ job: InferenceJob, parallelism: Int) -> Bool {
        job.inputFormat == .csv && SlicedCSV.sliceCount(byteCount: job.body.count, parallelism: parallelism) > 1
    }

    /// Starts answering a large CSV body off the actor; its reply is posted when its slices are done.
    private func answerAlone(_ job: InferenceJob) {
        let (evaluator, handOff, waker, parallelism) = (evaluator, handOff, waker, parallelism)
        jobCount += 1
        Task.detached {
            let response: HTTPResponse
            do throws(InvocationError) {
                let body = try await SlicedCSV.answer(
                    job.body, outputFormat: job.outputFormat, evaluator: evaluator, parallelism: parallelism)
                response = HTTPResponse(status: 200, contentType: job.outputFormat.rawValue, body: body)
            } catch {
                response = .error(error.status, error.message)
            }
            if handOff.post([InferenceReply(connection: job.connection, sequence: job.sequence, response: response)]) {
                waker.wake()
            }
        }
    }

    /// Decodes every job (a bad body gets its 4xx reply), evaluates all their rows in one pass,
    /// then formats one response per job.
    static func evaluate(_ jobs: [InferenceJob], evaluator: Evaluator, parallelism: Int) async -> [InferenceReply] {
        var responses = [HTTPResponse?](repeating: nil, count: jobs.count)
        var decoded: [(job: Int, features: [Float], rowCount: Int)] = []
        for (index, job) in jobs.enumerated() {
            do throws(InvocationError) {
                let rows = try InvocationCodec.decode(job.body, format: job.inputFormat, columnCount: evaluator.columnCount)
                decoded.append((index, rows.features, rows.rowCount))
            } catch {
                responses[index] = .error(error.status, error.message)
            }
        }
        if !decoded.isEmpty {
            await evaluateTogether(decoded, of: jobs, evaluator: evaluator, parallelism: parallelism, into: &responses)
        }
        return jobs.indices.map { index in
            InferenceReply(connection: jobs[index].connection, sequence: jobs[index].sequence, response: responses[index]!)
        }
    }

    /// One evaluation pass over the rows of every decoded job, then one response per job.
    private static func evaluateTogether(
        _ decoded: [(job: Int, features: [Float], rowCount: Int)], of jobs: [InferenceJob], evaluator: Evaluator,
        parallelism: Int, into responses: inout [HTTPResponse?]
    ) async {
        let rowCount = decoded.reduce(0) { $0 + $1.rowCount }
        let features: [Float]
        if decoded.count == 1 {
            features = decoded[0].features
        } else {
            var joined: [Float] = []
            joined.reserveCapacity(rowCount * evaluator.columnCount)
            for rows in decoded { joined.append(contentsOf: rows.features) }
            features = joined
        }
        let predictions = await ParallelEvaluation.predict(
            evaluator: evaluator, features: features, rowCount: rowCount, parallelism: parallelism)
        var start = 0
        for rows in decoded {
            let slice = predictions[start..<(start + rows.rowCount)]
            start += rows.rowCount
            let format = jobs[rows.job].outputFormat
            let body = await ParallelEncoding.encode(slice, format: format, parallelism: parallelism)
            responses[rows.job] = HTTPResponse(status: 200, contentType: format.rawValue, body: body)
        }
    }
}
