/// What the epoll backend watches for one connection slot.
struct EpollSlot: BackendSlot {
    var fd: Int32 = -1
    var generation: UInt32 = 0
    /// Between `register` and the `released` report.
    var isRegistered = false
    /// The loop reads this connection (`setReceiving`).
    var isReceiveWanted = false
    /// EOF or a receive failure: never watched for reading again.
    var hasReceiveEnded = false
    /// The rest of a send the socket had no room for, sent on EPOLLOUT (owned by the loop; valid
    /// until its `sent` or `sendFailed` report).
    var sendBytes: UnsafeRawBufferPointer?
    /// The events the descriptor is registered for in the epoll set; nil when it is not in it.
    var watched: UInt32?

    /// The events to watch: input while reading is wanted and not over, output while a send waits.
    var wanted: UInt32 {
        let reading = isReceiveWanted && !hasReceiveEnded ? EpollEvents.input : 0
        return reading | (sendBytes != nil ? EpollEvents.output : 0)
    }
}
