import IOUring
import Model

/// Coalesces the rows of every request that arrived during a loop turn (up to a byte budget)
/// into one evaluation pass per model, then formats each request's reply. A large CSV body is
/// not coalesced: it is answered on its own, in parallel slices, as soon as it is taken.
///
/// A plain value owned by the one task that consumes the hand-off's doorbell: nothing else
/// touches it, so it needs no actor isolation (the work inside a pass is spread over the
/// cores by `ParallelEvaluation` and `ParallelEncoding`, not by concurrent drains).
struct Batcher {
    let handOff: HandOff
    let waker: Waker
    let byteBudget: Int
    let parallelism: Int
    private(set) var passCount = 0
    private(set) var jobCount = 0

    init(handOff: HandOff, waker: Waker, byteBudget: Int, parallelism: Int) {
        self.handOff = handOff
        self.waker = waker
        self.byteBudget = byteBudget
        self.parallelism = max(1, parallelism)
    }

    /// Evaluates everything queued, one pass per model and byte budget; large CSV bodies are
    /// started on their own and answered when their slices are done.
    mutating func drain() async {
        while true {
            let jobs = handOff.take(byteBudget: byteBudget)
            guard !jobs.isEmpty else { return }
            var coalesced: [InferenceJob] = []
            for job in jobs {
                if Self.isAnsweredAlone(job, parallelism: parallelism) { answerAlone(job) } else { coalesced.append(job) }
            }
            for group in Self.groupedByModel(coalesced) {
                let replies = await Self.evaluate(group, evaluator: group[0].model.evaluator, parallelism: parallelism)
                passCount += 1
                jobCount += group.count
                if handOff.post(replies) { waker.wake() }
            }
        }
    }

    /// The jobs per model, in the order each model first appears (one model: one group).
    static func groupedByModel(_ jobs: [InferenceJob]) -> [[InferenceJob]] {
        guard let first = jobs.first else { return [] }
        if jobs.allSatisfy({ $0.model.id == first.model.id }) { return [jobs] }
        var groupIndex: [Int: Int] = [:]
        var groups: [[InferenceJob]] = []
        for job in jobs {
            if let index = groupIndex[job.model.id] {
                groups[index].append(job)
            } else {
                groupIndex[job.model.id] = groups.count
                groups.append([job])
            }
        }
        return groups
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

    /// Starts answering a large CSV body in a task of its own; its reply is posted when its slices are done.
    private mutating func answerAlone(_ job: InferenceJob) {
        let (evaluator, handOff, waker, parallelism) = (job.model.evaluator, handOff, waker, parallelism)
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
                let rows = try InvocationCodec.decode(job.body, format: job.inputFormat, schema: evaluator.schema)
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
