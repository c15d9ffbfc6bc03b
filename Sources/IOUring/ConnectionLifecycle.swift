/// Where a connection is in its life, from the loop's side: one state in place of the flags
/// (`open`, `closeRequested`, `peerClosed`, `receivePaused`, linger deadlines) it once took to
/// say the same. Transitions:
///
///     free ──accept──▶ open ──EOF──▶ peerClosed
///                       │ close         │ close
///                       ▼               ▼
///                     closing(linger) ──output sent──▶ lingering ──deadline, budget, EOF──┐
///                       │ (no linger)                                                    │
///                       ▼                                                                 ▼
///                     releasing ◀────────────────────────────────────────────── closing(no linger)
///                       │ released
///                       ▼
///                     free
///
/// A failure or `abort` from any live state goes to `closing(linger: false)`.
enum ConnectionLifecycle: Equatable {
    /// No connection holds the slot.
    case free
    /// Reading and answering; `receivePaused` while the delegate holds input back.
    case open(receivePaused: Bool)
    /// The peer sent EOF: answering what it sent; nothing more will arrive.
    case peerClosed
    /// Close asked for: the queued output goes first, then the connection closes, or, with
    /// `linger`, shuts its write side and lingers.
    case closing(linger: Bool)
    /// Write side shut after the last answer; input is discarded until `deadline`, until
    /// `EventLoop.lingerBytesMax` arrive, or until the peer's EOF.
    case lingering(deadline: UInt64, discardedByteCount: Int)
    /// The backend is ending what it has armed; its `released` event frees the slot.
    case releasing

    /// Whether the delegate may still queue output and see events.
    var isLive: Bool {
        switch self {
        case .free, .releasing: false
        case .open, .peerClosed, .closing, .lingering: true
        }
    }
}
