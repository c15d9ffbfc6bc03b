extension SplitScoring {
    /// A one-hot feature's best value: each value `v`'s candidate sends the rows of `v` one way
    /// and the rest the other (CatBoost's one-hot splits, `CalcScoresForOneCandidate` over a
    /// feature's value buckets); scores as `bestBorder`, the first of equal scores kept.
    static func bestValue(
        cells: UnsafeBufferPointer<SIMD2<Double>>, leafCount: Int, valueCount: Int, scoreFunction: ScoreFunction,
        l2: Double, noise: [Double]?
    ) -> (border: Int, score: Double) {
        var numerator = [Double](repeating: 0, count: valueCount)
        var denominator = [Double](repeating: 0, count: valueCount)
        for leaf in 0..<leafCount {
            var total = SIMD2<Double>.zero
            for value in 0..<valueCount { total += cells[leaf * valueCount + value] }
            for value in 0..<valueCount {
                let inside = cells[leaf * valueCount + value]
                let outside = total - inside
                let insideAverage = (inside[0] / (inside[1] + l2)).kept(if: inside[1] > 0)
                let outsideAverage = (outside[0] / (outside[1] + l2)).kept(if: outside[1] > 0)
                numerator[value] += insideAverage * inside[0] + outsideAverage * outside[0]
                denominator[value] += insideAverage * insideAverage * inside[1] + outsideAverage * outsideAverage * outside[1]
            }
        }
        var best = (border: 0, score: -Double.infinity)
        for value in 0..<valueCount {
            var score =
                switch scoreFunction {
                case .l2: numerator[value]
                case .cosine: numerator[value] / (denominator[value] + 1e-100).squareRoot()
                }
            if let noise { score += noise[value] }
            if value == 0 || score > best.score { best = (value, score) }
        }
        return best
    }
}
