import Model

/// The models of a multi-model endpoint, owned by the I/O thread: lookups on the request path
/// take no lock. Loads run elsewhere; a name is reserved while its model loads, so a second
/// load of it is refused (409) before any work, and the model is admitted, or refused for
/// memory (507), when its load completes.
struct ModelRegistry {
    let budgetBytes: Int
    private(set) var models: [String: LoadedModel] = [:]
    private(set) var loading: Set<String> = []
    /// The sum of the loaded models' `residentBytes`.
    private(set) var residentBytes = 0
    private var nextID = 1

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    enum Reservation: Equatable {
        case reserved
        case alreadyLoaded
        case alreadyLoading
        /// Nothing more fits: refused before reading the model.
        case budgetExhausted
    }

    mutating func reserve(_ name: String) -> Reservation {
        if models[name] != nil { return .alreadyLoaded }
        if loading.contains(name) { return .alreadyLoading }
        if residentBytes >= budgetBytes { return .budgetExhausted }
        loading.insert(name)
        return .reserved
    }

    enum Admission {
        case admitted(LoadedModel)
        /// The model needs `needed` bytes and only `free` are left.
        case overBudget(needed: Int, free: Int)
    }

    /// Ends a reservation with the loaded evaluator: admitted if it fits in the budget.
    mutating func admit(_ name: String, url: String, evaluator: Evaluator) -> Admission {
        precondition(loading.remove(name) != nil, "admitting \(name), which was not reserved")
        let bytes = evaluator.residentBytes
        guard residentBytes + bytes <= budgetBytes else {
            return .overBudget(needed: bytes, free: max(0, budgetBytes - residentBytes))
        }
        let model = LoadedModel(name: name, url: url, scoring: ScoringModel(id: nextID, evaluator: evaluator), residentBytes: bytes)
        nextID += 1
        models[name] = model
        residentBytes += bytes
        return .admitted(model)
    }

    /// Ends a reservation whose load failed.
    mutating func abandon(_ name: String) {
        precondition(loading.remove(name) != nil, "abandoning \(name), which was not reserved")
    }

    /// Removes a loaded model; requests already handed to the batcher keep their evaluator
    /// and are answered by it.
    mutating func unload(_ name: String) -> LoadedModel? {
        guard let model = models.removeValue(forKey: name) else { return nil }
        residentBytes -= model.residentBytes
        return model
    }

    /// Up to `limit` models in name order, after the one named `after`; the name to continue
    /// after when more follow. Names order by their UTF-8 bytes, so a page boundary does not
    /// move when models load or unload between pages.
    func page(after: String?, limit: Int) -> (models: [LoadedModel], continueAfter: String?) {
        var names = Array(models.keys)
        if let after { names.removeAll { !Self.precedes(after, $0) } }
        names.sort(by: Self.precedes)
        let taken = names.prefix(limit)
        let more = names.count > taken.count
        return (taken.map { models[$0]! }, more ? taken.last : nil)
    }

    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
