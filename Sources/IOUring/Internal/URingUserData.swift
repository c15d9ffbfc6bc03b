/// What an io_uring submission's `user_data` carries back in its completion: the operation, and
/// for a connection's operations its slot and generation, so a completion for an earlier
/// connection in a reused slot is recognised (as TigerBeetle and SwiftNIO pack theirs).
///
/// Bit layout (64 bits): operation 8 | generation 24 (the low bits of the connection's) | slot 32.
struct URingUserData: Equatable {
    enum Operation: UInt8 {
        case accept = 1, receive, send, wake, cancel
    }

    static let generationMask: UInt32 = 0xFF_FFFF

    var rawValue: UInt64

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    init(_ operation: Operation, slot: Int = 0, generation: UInt32 = 0) {
        precondition(slot >= 0 && slot <= Int(UInt32.max), "slot \(slot) does not fit user_data")
        rawValue = UInt64(operation.rawValue) << 56 | UInt64(generation & Self.generationMask) << 32 | UInt64(UInt32(slot))
    }

    /// Nil for a value this module never submits.
    var operation: Operation? { Operation(rawValue: UInt8(rawValue >> 56)) }
    var slot: Int { Int(rawValue & 0xFFFF_FFFF) }
    var generation: UInt32 { UInt32((rawValue >> 32) & UInt64(Self.generationMask)) }

    /// Whether this names the connection `generation` (only its low 24 bits travel).
    func matches(generation full: UInt32) -> Bool { generation == full & Self.generationMask }
}
