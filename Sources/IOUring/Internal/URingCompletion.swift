/// One completion copied out of the ring, so the ring's slot is free again before its handling
/// runs (TigerBeetle's `flush_completions`: completions are reaped into a list and run after,
/// never from inside the reaping).
struct URingCompletion {
    var userData: URingUserData
    /// The operation's result: a count or descriptor, or `-errno`.
    var result: Int32
    /// IORING_CQE_F_* (more completions to come, which buffer was used).
    var flags: UInt32
}
