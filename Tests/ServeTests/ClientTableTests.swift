import IOUring
import Testing
@testable import Serve

@Suite("Client table")
struct ClientTableTests {
    @Test("entries are found by slot and generation, changed in place, and removed")
    func generations() {
        var table = ClientTable<[Int]>()
        let first = ConnectionID(slot: 7, generation: 1)
        let reused = ConnectionID(slot: 7, generation: 2)
        #expect(table[first] == nil)
        table[first] = [1]
        table[first]?.append(2)
        #expect(table[first] == [1, 2])
        #expect(table[reused] == nil, "a later connection in the same slot does not see the old one")
        table[reused]?.append(3)  // no entry: nothing happens
        #expect(table[first] == [1, 2])
        #expect(table.count == 1)
        table[ConnectionID(slot: 2, generation: 5)] = []
        #expect(table.count == 2)
        #expect(table.connections == [ConnectionID(slot: 2, generation: 5), first])
        table[first] = nil
        #expect(table[first] == nil)
        #expect(table.count == 1)
        table[reused] = [9]
        #expect(table[reused] == [9])
        #expect(table.connections == [ConnectionID(slot: 2, generation: 5), reused])
    }

    @Test("update changes the current connection's client in place and nothing else")
    func update() {
        var table = ClientTable<[Int]>()
        let first = ConnectionID(slot: 3, generation: 1)
        let reused = ConnectionID(slot: 3, generation: 2)
        #expect(!table.update(first) { $0.append(1) }, "no client yet")
        table[first] = [1]
        #expect(table.update(first) { $0.append(2) })
        #expect(!table.update(reused) { $0.append(3) }, "another connection in the same slot")
        #expect(!table.update(ConnectionID(slot: 99, generation: 1)) { $0.append(4) }, "a slot past the end")
        #expect(table[first] == [1, 2])
        table[first] = nil
        #expect(!table.update(first) { $0.append(5) }, "removed")
        #expect(table.count == 0)
    }
}
