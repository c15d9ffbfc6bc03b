/// One level of a tree trained with categorical features: a static feature (float borders, or a
/// one-hot feature's value: `borderIndex` is then the value index and the test equality), or
/// one CTR feature of a projection (`output` in its `CTRLayout`) above a bucket.
enum CategoricalSplit: Sendable, Hashable {
    case staticFeature(feature: Int, borderIndex: Int)
    case ctr(projection: Projection, output: Int, borderIndex: Int)

    var projection: Projection? {
        if case .ctr(let projection, _, _) = self { return projection }
        return nil
    }
}
