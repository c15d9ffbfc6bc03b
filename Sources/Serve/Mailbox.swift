import Synchronization

/// Values posted from other threads for the I/O thread, which collects them when woken: the
/// poster wakes the loop only when the box goes from empty to non-empty.
final class Mailbox<Element: Sendable>: Sendable {
    private let queue = Mutex<[Element]>([])

    /// Returns true when the box was empty (the loop needs a wake-up).
    func post(_ element: sending Element) -> Bool {
        queue.withLock { queue in
            let wasEmpty = queue.isEmpty
            queue.append(element)
            return wasEmpty
        }
    }

    /// `post` for several at once.
    func post(contentsOf elements: sending [Element]) -> Bool {
        queue.withLock { queue in
            let wasEmpty = queue.isEmpty
            queue.append(contentsOf: elements)
            return wasEmpty
        }
    }

    func collect() -> [Element] {
        queue.withLock { queue in
            let elements = queue
            queue.removeAll()
            return elements
        }
    }
}
