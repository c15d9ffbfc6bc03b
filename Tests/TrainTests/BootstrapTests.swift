import Testing
@testable import Train

@Suite("Bootstrap")
struct BootstrapTests {
    @Test("MVS threshold solves Σ min(1, c/μ) = keep (unique: the sum falls as μ grows), ties and skew included", arguments: [1, 2, 7, 100, 8192])
    func mvsThreshold(count: Int) {
        var random = RandomGenerator(seed: UInt64(count))
        for shape in 0..<4 {
            let importance: [Double] = (0..<count).map { _ in
                switch shape {
                case 0: return random.nextUnitInterval()
                case 1: return Double(random.next() % 4)  // many ties, zeros
                case 2: return (-random.nextUnitInterval().logarithm).power(3)  // heavy tail
                default: return 1
                }
            }
            for share in [0.1, 0.5, 0.8, 0.99] {
                let keep = share * Double(count)
                guard keep < Double(importance.count(where: { $0 > 0 })) else {
                    #expect(Bootstrap.mvsThreshold(importance, keep: keep) == 0)
                    continue
                }
                let threshold = Bootstrap.mvsThreshold(importance, keep: keep)
                #expect(threshold > 0)
                let expectedKept = importance.reduce(0) { $0 + min(1, $1 / threshold) }
                #expect(abs(expectedKept - keep) <= 1e-9 * Double(count), "shape \(shape) share \(share): Σp = \(expectedKept), keep \(keep)")
            }
        }
    }
}
