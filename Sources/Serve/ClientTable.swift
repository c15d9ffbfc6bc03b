import IOUring

/// The server's per-connection state, indexed by the loop's slot (the socket's fd, so small
/// and dense) and checked against the connection's generation: no hashing per access, and
/// `_read`/`_modify` lend the stored value in place, never a copy of its input buffer.
struct ClientTable<Client> {
    private var clients: [Client?] = []
    private var generations: [UInt32] = []

    /// How many connections have a client (a scan: for the shutdown log, not the hot path).
    var count: Int { clients.count(where: { $0 != nil }) }

    subscript(connection: ConnectionID) -> Client? {
        _read {
            let slot = Int(connection.slot)
            if slot < clients.count, generations[slot] == connection.generation {
                yield clients[slot]
            } else {
                yield nil
            }
        }
        _modify {
            let slot = Int(connection.slot)
            if slot >= clients.count {
                clients.append(contentsOf: repeatElement(nil, count: slot + 1 - clients.count))
                generations.append(contentsOf: repeatElement(0, count: slot + 1 - generations.count))
            }
            if generations[slot] == connection.generation || clients[slot] == nil {
                generations[slot] = connection.generation
                yield &clients[slot]
            } else {
                // Another connection's client holds the slot: a new value replaces it, nil leaves it.
                var replacement: Client? = nil
                defer {
                    if let replacement {
                        clients[slot] = replacement
                        generations[slot] = connection.generation
                    }
                }
                yield &replacement
            }
        }
    }

    /// Runs `body` on the connection's client in place; false when the connection has none.
    /// Reading a field through the optional subscript can copy the whole client (its buffers'
    /// retains and releases); this never does.
    @discardableResult
    mutating func update(_ connection: ConnectionID, _ body: (inout Client) -> Void) -> Bool {
        let slot = Int(connection.slot)
        guard slot < clients.count, generations[slot] == connection.generation, clients[slot] != nil else { return false }
        body(&clients[slot]!)
        return true
    }

    /// Every connection with a client, for sweeps that may modify or remove them.
    var connections: [ConnectionID] {
        clients.indices.compactMap { slot in
            clients[slot] == nil ? nil : ConnectionID(slot: UInt32(slot), generation: generations[slot])
        }
    }
}
