import Foundation
import Model
import Testing
@testable import Train

/// What each host of a multi-host SageMaker job does, from resourceconfig.json alone.
@Suite("Multi-host launch plan")
struct MPILaunchPlanTests {
    func config(current: String, hosts: [String], interface: String? = nil) throws -> JSONValue {
        var text = "{\"current_host\": \"\(current)\", \"hosts\": [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]"
        if let interface { text += ", \"network_interface_name\": \"\(interface)\"" }
        return try JSONValue.parse(Array((text + "}").utf8))
    }

    @Test("The first host in sorted order runs mpirun over every host with the job's interface and ranks per host")
    func leader() throws {
        let plan = try #require(
            try MPILaunchPlan.make(
                resourceConfig: config(current: "algo-1", hosts: ["algo-2", "algo-1", "algo-3"], interface: "eth1"),
                hyperparameters: [MPILaunchPlan.processesPerHostKey: "2", MPILaunchPlan.customOptionsKey: "-mca pml ob1"],
                executable: "/usr/local/bin/symmetree", mlRoot: "/opt/ml"))
        guard case .leader(let workers, let arguments) = plan.role else {
            Issue.record("algo-1 should lead, got \(plan.role)")
            return
        }
        #expect(workers == ["algo-2", "algo-3"])
        let joined = arguments.joined(separator: " ")
        #expect(joined.contains("--host algo-1:2,algo-2:2,algo-3:2 -np 6"))
        #expect(joined.contains("btl_tcp_if_include eth1"))
        #expect(joined.contains("oob_tcp_if_include eth1"))
        #expect(joined.contains("-x MALLOC_ARENA_MAX=1"))
        #expect(joined.contains("-mca pml ob1 /usr/local/bin/symmetree train --ml-root /opt/ml"))
        #expect(arguments.suffix(4) == ["/usr/local/bin/symmetree", "train", "--ml-root", "/opt/ml"])
    }

    @Test("Every other host serves ssh for the leader; one host trains alone")
    func workerAndSingleHost() throws {
        let worker = try MPILaunchPlan.make(
            resourceConfig: config(current: "algo-2", hosts: ["algo-1", "algo-2"]), hyperparameters: [:], executable: "x",
            mlRoot: "/opt/ml")
        #expect(worker?.role == .worker(leader: "algo-1"))
        let alone = try MPILaunchPlan.make(
            resourceConfig: config(current: "algo-1", hosts: ["algo-1"]), hyperparameters: [:], executable: "x", mlRoot: "/opt/ml")
        #expect(alone == nil)
        #expect(try MPILaunchPlan.make(resourceConfig: nil, hyperparameters: [:], executable: "x", mlRoot: "/opt/ml") == nil)
    }

    @Test("Bad settings are refused with the setting's name")
    func refusals() throws {
        #expect(throws: TrainingError.self) {
            try MPILaunchPlan.make(
                resourceConfig: config(current: "algo-9", hosts: ["algo-1", "algo-2"]), hyperparameters: [:], executable: "x",
                mlRoot: "/opt/ml")
        }
        let twoHosts = try config(current: "algo-1", hosts: ["algo-1", "algo-2"])
        do throws(TrainingError) {
            _ = try MPILaunchPlan.make(
                resourceConfig: twoHosts, hyperparameters: [MPILaunchPlan.processesPerHostKey: "zero"], executable: "x",
                mlRoot: "/opt/ml")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains(MPILaunchPlan.processesPerHostKey))
        }
    }

    @Test("The leader fails the job, naming the host, when a worker never accepts ssh")
    func unreachableWorker() throws {
        let ml = try MLRoot()
        defer { ml.remove() }
        try ml.write("1,2,3\n", to: "input/data/training/train.csv")
        try ml.write(
            #"{"current_host": "algo-1", "hosts": ["algo-1", "no-such-host.invalid"]}"#, to: "input/config/resourceconfig.json")
        let process = try startTraining(ml, environment: ["SYMMETREE_MPI_WAIT_SECONDS": "1"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(ml.failure?.contains("no-such-host.invalid did not accept ssh") == true, "\(ml.failure ?? "no failure")")
    }
}
