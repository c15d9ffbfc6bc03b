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
}
