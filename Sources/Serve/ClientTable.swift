import IOUring

/// The server's per-connection state, indexed by the loop's slot (the socket's fd, so small
/// and dense) and checked against the connection's generation: no hashing per access, and
/// `_read`/`_modify` hand out the stored value in place, never a copy of its input buffer.
struct ClientTable<Client> {
    private var slots: [(generation: UInt32, client: Client)?] = []
    private(set) var count = 0

    subscript(connection: ConnectionID) -> Client? {
        _read {
            let slot = Int(connection.slot)
            if slot < slots.count, let entry = slots[slot], entry.generation == connection.generation {
                yield entry.client
            } else {
                yield nil
            }
        }
        _modify {
            let slot = Int(connection.slot)
            if slot >= slots.count { slots.append(contentsOf: repeatElement(nil, count: slot + 1 - slots.count)) }
            if slots[slot]?.generation == connection.generation {
                // In place: take the client out of the optional tuple only through the yield.
                var client: Client? = slots[slot].take()!.client
                defer {
                    if let client { slots[slot] = (connection.generation, client) } else { count -= 1 }
                }
                yield &client
            } else {
                var client: Client? = nil
                defer {
                    if let client {
                        if slots[slot] == nil { count += 1 }
                        slots[slot] = (connection.generation, client)
                    }
                }
                yield &client
            }
        }
    }

    /// Every connection with a client, for sweeps that may modify or remove them.
    var connections: [ConnectionID] {
        slots.indices.compactMap { slot in slots[slot].map { ConnectionID(slot: UInt32(slot), generation: $0.generation) } }
    }
}
