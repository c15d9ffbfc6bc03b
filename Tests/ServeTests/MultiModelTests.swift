import Foundation
@testable import IOUring
import Model
import Testing
@testable import Serve

@Suite("Multi-model parts")
struct MultiModelPartsTests {
    @Test("routes of the container API, names percent-decoded, wrong methods 405")
    func routes() {
        #expect(MultiModelRoute(method: "POST", path: "/models") == .load)
        #expect(MultiModelRoute(method: "GET", path: "/models") == .list)
        #expect(MultiModelRoute(method: "PUT", path: "/models") == .methodNotAllowed(allow: "GET, HEAD, POST"))
        #expect(MultiModelRoute(method: "GET", path: "/models/m1.tar.gz") == .describe("m1.tar.gz"))
        #expect(MultiModelRoute(method: "DELETE", path: "/models/a%20b%2Fc") == .unload("a b/c"))
        #expect(MultiModelRoute(method: "POST", path: "/models/a%20b/invoke") == .invoke("a b"))
        #expect(MultiModelRoute(method: "GET", path: "/models/a/invoke") == .methodNotAllowed(allow: "POST"))
        #expect(MultiModelRoute(method: "POST", path: "/models/a") == .methodNotAllowed(allow: "DELETE, GET, HEAD"))
        #expect(MultiModelRoute(method: "GET", path: "/models/%zz") == .badName("%zz"))
        #expect(MultiModelRoute(method: "GET", path: "/models/%C3") == .badName("%C3"))
        #expect(MultiModelRoute(method: "GET", path: "/models/") == .badName(""))
        #expect(MultiModelRoute(method: "GET", path: "/models/a/other") == nil)
        #expect(MultiModelRoute(method: "GET", path: "/models/a/invoke/x") == nil)
        #expect(MultiModelRoute(method: "GET", path: "/modelsx") == nil)
        #expect(MultiModelRoute(method: "POST", path: "/invocations") == nil)
    }

    @Test("percent-encoding round trips every byte; + is a space in queries only")
    func percentEncoding() {
        let text = "a b/c?d=é&%+~"
        #expect(PercentEncoding.decode(Substring(PercentEncoding.encode(text))) == text)
        #expect(PercentEncoding.encode("m-1_2.tar.gz~") == "m-1_2.tar.gz~")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(PercentEncoding.decode("%4") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
    }

    @Test("load bodies: both fields required, strings, no control characters")
    func loadBodies() throws {
        let good = try ModelLoadRequest(body: Array(#"{"model_name": "m1.tar.gz", "url": "/opt/ml/models/m1/model"}"#.utf8))
        #expect(good == ModelLoadRequest(name: "m1.tar.gz", url: "/opt/ml/models/m1/model"))
        let cases: [(String, String)] = [
            ("", "not JSON"), ("[1]", "JSON object"), (#"{"url": "/x"}"#, "model_name"), (#"{"model_name": 3, "url": "/x"}"#, "model_name"),
            (#"{"model_name": "m"}"#, "url"), (#"{"model_name": "m", "url": ""}"#, "url"), (#"{"model_name": "a\nb", "url": "/x"}"#, "control"),
        ]
        for (body, reason) in cases {
            #expect(throws: InvocationError.self) { try ModelLoadRequest(body: Array(body.utf8)) }
            do {
                _ = try ModelLoadRequest(body: Array(body.utf8))
            } catch {
                #expect(error.status == 400)
                #expect(error.message.contains(reason), "\(body): \(error.message)")
            }
        }
    }

    @Test("registry: reservations, 409 states, the budget, unloads and name-ordered pages")
    func registry() throws {
        let model = try TestModel()
        let size = model.evaluator.residentBytes
        #expect(size > 40 * 16 * 8, "leaf values alone are 5 KB")
        var registry = ModelRegistry(budgetBytes: size * 2 + size / 2)
        #expect(registry.reserve("b") == .reserved)
        #expect(registry.reserve("b") == .alreadyLoading)
        guard case .admitted(let b) = registry.admit("b", url: "/b", evaluator: model.evaluator) else { Issue.record("not admitted"); return }
        #expect(registry.reserve("b") == .alreadyLoaded)
        #expect(registry.reserve("a") == .reserved)
        guard case .admitted(let a) = registry.admit("a", url: "/a", evaluator: model.evaluator) else { Issue.record("not admitted"); return }
        #expect(a.scoring.id != b.scoring.id)
        #expect(registry.residentBytes == 2 * size)
        // Under the budget still, so reserved; too big once loaded.
        #expect(registry.reserve("c") == .reserved)
        guard case .overBudget(let needed, let free) = registry.admit("c", url: "/c", evaluator: model.evaluator) else {
            Issue.record("admitted past the budget")
            return
        }
        #expect(needed == size && free == size / 2)
        #expect(registry.models["c"] == nil)
        #expect(registry.reserve("c") == .reserved)
        registry.abandon("c")
        #expect(registry.unload("b")?.url == "/b")
        #expect(registry.unload("b") == nil)
        #expect(registry.residentBytes == size)
        for name in ["d", "é", "c", "B"] {
            #expect(registry.reserve(name) == .reserved)
            registry.abandon(name)
        }
        var full = ModelRegistry(budgetBytes: size)
        #expect(full.reserve("x") == .reserved)
        _ = full.admit("x", url: "/x", evaluator: model.evaluator)
        #expect(full.reserve("y") == .budgetExhausted)

        var many = ModelRegistry(budgetBytes: .max)
        for name in ["e", "b", "é", "a", "d", "c"] {
            _ = many.reserve(name)
            _ = many.admit(name, url: "/" + name, evaluator: model.evaluator)
        }
        var seen: [String] = []
        var token: String?
        repeat {
            let page = many.page(after: token, limit: 4)
            seen += page.models.map(\.name)
            token = page.continueAfter
        } while token != nil
        #expect(seen == ["a", "b", "c", "d", "e", "é"])
        #expect(many.page(after: "c", limit: 10).models.map(\.name) == ["d", "e", "é"])
        #expect(many.page(after: nil, limit: 6).continueAfter == nil)
    }

    @Test("memory budget: cgroup v2, v1 and no limit")
    func memoryBudget() throws {
        let root = NSTemporaryDirectory() + "symmetree-cgroup-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/memory", withIntermediateDirectories: true)
        #expect(MemoryBudget.containerLimitBytes(root: root) == nil)
        try "9223372036854771712\n".write(toFile: root + "/memory/memory.limit_in_bytes", atomically: true, encoding: .utf8)
        #expect(MemoryBudget.containerLimitBytes(root: root) == nil)
        try "1073741824\n".write(toFile: root + "/memory/memory.limit_in_bytes", atomically: true, encoding: .utf8)
        #expect(MemoryBudget.containerLimitBytes(root: root) == 1 << 30)
        try "max\n".write(toFile: root + "/memory.max", atomically: true, encoding: .utf8)
        #expect(MemoryBudget.containerLimitBytes(root: root) == nil)
        try "536870912\n".write(toFile: root + "/memory.max", atomically: true, encoding: .utf8)
        #expect(MemoryBudget.containerLimitBytes(root: root) == 1 << 29)
        #expect(MemoryBudget.defaultBytes() > 0)
    }

    @Test("a batcher pass scores each request with its own model when models are mixed")
    func batcherGroupsByModel() async throws {
        let models = try [TestModel(bias: 0), TestModel(bias: 10), TestModel(bias: -7)]
        let handOff = HandOff()
        var batcher = Batcher(handOff: handOff, waker: Waker(fd: eventfdForTest()), byteBudget: 1 << 20, parallelism: 2)
        let order = [0, 1, 0, 2, 1, 1, 2, 0]
        let inputs = order.indices.map { rows(1 + $0, seed: $0) }
        let jobs = order.enumerated().map { index, modelIndex in
            InferenceJob(
                connection: ConnectionID(slot: UInt32(index), generation: 1), sequence: UInt64(index),
                model: ScoringModel(id: modelIndex + 1, evaluator: models[modelIndex].evaluator),
                body: Array(csv(inputs[index]).utf8), inputFormat: .csv, outputFormat: .csv)
        }
        #expect(Batcher.groupedByModel(jobs).map { $0.map(\.sequence) } == [[0, 2, 7], [1, 4, 5], [3, 6]])
        _ = handOff.submit(jobs)
        await batcher.drain()
        #expect(batcher.passCount == 3)
        let replies = handOff.collect().sorted { $0.sequence < $1.sequence }
        #expect(replies.count == order.count)
        for (index, reply) in replies.enumerated() {
            #expect(same(parseCSV(String(decoding: reply.response.body, as: UTF8.self)), models[order[index]].expected(inputs[index])))
        }
    }
}
