/// A connection as the loop's user sees it: a slot in the fixed connection table plus the
/// generation the slot had when this connection was accepted, so a late reply for a closed
/// connection (whose fd and slot were reused) is recognised and dropped.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let slot: UInt32
    public let generation: UInt32

    public init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    public var description: String { "#\(slot).\(generation)" }
}
