/// One numeric input column and its quantization borders (LightGBM's "bin mapper").
///
/// A value falls in bin `b` when exactly `b` borders are strictly below it: CatBoost's split
/// test is `Float(x) > border` (LightGBM uses `<=` for the left child; CatBoost's `>` is what
/// we must match bit for bit).
public struct FloatFeature: Sendable, Hashable {
    /// Position of the column in an input row (CatBoost's `flat_feature_index`).
    public var columnIndex: Int
    /// Borders, strictly increasing, as float32 (CatBoost stores and compares them in float32).
    public var borders: [Float]
    public var hasNans: Bool
    public var nanValueTreatment: NanValueTreatment
    /// CatBoost's `feature_id`; empty when unnamed.
    public var name: String

    public init(
        columnIndex: Int, borders: [Float], hasNans: Bool = false,
        nanValueTreatment: NanValueTreatment = .asIs, name: String = ""
    ) {
        self.columnIndex = columnIndex
        self.borders = borders
        self.hasNans = hasNans
        self.nanValueTreatment = nanValueTreatment
        self.name = name
    }

    /// The number of borders strictly below `x` after NaN substitution (a lower bound; NaN
    /// compares false with every border).
    public func bin(for x: Float) -> Int {
        let value = nanValueTreatment.substitute(x)
        return borders.withUnsafeBufferPointer { borders in
            var base = 0
            var length = borders.count
            while length > 0 {
                let half = length >> 1
                let passes = value > borders[base + half]
                base = passes ? base + half + 1 : base
                length = passes ? length - half - 1 : half
            }
            return base
        }
    }

    /// `bin(for:)` of every value, as bytes (at most 255 borders): one call per column, and
    /// borders counted eight per vector compare. Binary search is no faster here: LLVM compiles
    /// each of its steps to a branch, however the select is spelled, and on training data every
    /// other one mispredicts; the compares of a linear count do not depend on each other.
    public func bins(of values: UnsafeBufferPointer<Float>, into bins: UnsafeMutableBufferPointer<UInt8>) {
        precondition(borders.count <= 255 && values.count == bins.count)
        borders.withUnsafeBufferPointer { borders in
            guard let first = borders.baseAddress else { return bins.update(repeating: 0) }
            for index in values.indices {
                bins[index] = UInt8(
                    truncatingIfNeeded: countBordersBelowLinear(
                        nanValueTreatment.substitute(values[index]), borders: first, borderCount: borders.count))
            }
        }
    }
}
