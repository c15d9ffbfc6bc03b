/// Events a backend produced outside its completion handling, when the loop called it (a send
/// the socket took at once, a release with nothing armed), kept for the loop to handle next:
/// reporting them from inside the call would run the loop's handlers re-entrantly.
final class EventQueue {
    private var events: [IOEvent] = []
    /// The events being reported; a second array so handlers can queue more meanwhile.
    private var reporting: [IOEvent] = []
    private var isReporting = false

    var isEmpty: Bool { events.isEmpty }

    func append(_ event: IOEvent) {
        events.append(event)
    }

    /// Reports every queued event in order, and those queued while reporting; returns whether
    /// there were any.
    func report(_ report: (IOEvent) -> Void) -> Bool {
        guard !events.isEmpty else { return false }
        precondition(!isReporting, "queued events reported re-entrantly")
        isReporting = true
        defer { isReporting = false }
        while !events.isEmpty {
            swap(&events, &reporting)
            for index in reporting.indices { report(reporting[index]) }
            reporting.removeAll(keepingCapacity: true)
        }
        return true
    }
}
