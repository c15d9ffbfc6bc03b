/// What both backends keep per slot to know which connection holds it.
protocol BackendSlot {
    var generation: UInt32 { get }
    /// Between `register` and the `released` report.
    var isRegistered: Bool { get }
}

extension Array where Element: BackendSlot {
    /// The slot of `connection`, which must be the slot's current, registered connection: the
    /// loop calls a backend only for connections it has not seen released.
    @inline(__always)
    func slot(of connection: ConnectionID) -> Int {
        let slot = Int(connection.slot)
        precondition(slot < count && self[slot].isRegistered, "\(connection) is not registered")
        precondition(self[slot].generation == connection.generation, "\(connection) is not the slot's connection")
        return slot
    }
}
