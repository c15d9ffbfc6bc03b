import Synchronization

/// The model state, written once by the loading task and read by the I/O thread.
final class ModelSlot: Sendable {
    private let value = Mutex<ModelState>(.loading)
    var state: ModelState { value.withLock { $0 } }
    func set(_ state: ModelState) { value.withLock { $0 = state } }
}
