import Model

/// One categorical feature of the learn set, perfect-hashed as CatBoost's quantized categorical
/// columns are: each row's value as a dense id (ids in order of first appearance), and each
/// id's CatBoost hash (`CategoryHash`), which model keys are built from.
struct CategoricalColumn: Sendable {
    /// Index into `DataTable.columns` (CatBoost's flat feature index).
    let featureIndex: Int
    let valueIDs: [UInt32]
    let hashes: [UInt32]

    var uniqueCount: Int { hashes.count }

    /// Reads a table column whose floats hold hash bit patterns.
    init(featureIndex: Int, storedValues: [Float]) {
        self.featureIndex = featureIndex
        var idOfHash: [UInt32: UInt32] = [:]
        var hashes: [UInt32] = []
        var valueIDs = [UInt32](overwrittenCount: storedValues.count)
        for (row, value) in storedValues.enumerated() {
            let hash = CategoryHash.hash(storedIn: value)
            if let id = idOfHash[hash] {
                valueIDs[row] = id
            } else {
                let id = UInt32(hashes.count)
                idOfHash[hash] = id
                hashes.append(hash)
                valueIDs[row] = id
            }
        }
        self.valueIDs = valueIDs
        self.hashes = hashes
    }
}
