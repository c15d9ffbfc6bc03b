/// CatBoost's GreedyLogSum border selection (`TGreedyBinarizer<MaxSumLog>` in
/// library/cpp/grid_creator/binarization.cpp), reproduced exactly, ties included: bins are
/// split greedily by the best log-sum score, and equal scores are resolved the way libc++'s
/// `std::pop_heap` / `push_heap` order them.
public enum BorderSelection {
    /// Borders for the non-NaN `values` (float32), at most `borderCount`, ascending.
    public static func greedyLogSum(_ values: [Float], borderCount: Int) -> [Float] {
        var sorted = values.filter { !$0.isNaN }
        guard !sorted.isEmpty, borderCount > 0 else { return [] }
        sorted.sort()
        return sorted.withUnsafeBufferPointer { v in
            var heap = [Bin(start: 0, end: v.count, values: v)]
            while heap.count <= borderCount, heap[0].canSplit {
                var top = popHeap(&heap)
                let left = Bin(start: top.start, end: top.cut, values: v)
                top = Bin(start: top.cut, end: top.end, values: v)
                heap.append(left)
                pushHeap(&heap)
                heap.append(top)
                pushHeap(&heap)
            }
            var borders = Set<Float>()
            for bin in heap where bin.start != 0 {
                borders.insert(0.5 * v[bin.start - 1] + 0.5 * v[bin.start])
            }
            return borders.sorted()
        }
    }

    /// A half-open range of the sorted values and its best cut.
    struct Bin {
        var start: Int
        var end: Int
        var cut: Int
        var score: Double

        init(start: Int, end: Int, values: UnsafeBufferPointer<Float>) {
            self.start = start
            self.end = end
            let middle = start + (end - start) / 2
            let lower = lowerBound(values, values[middle], start, middle)
            let upper = upperBound(values, values[middle], middle, end)
            let lowerScore = Self.score(lower, start, end)
            let upperScore = Self.score(upper, start, end)
            (cut, score) = lowerScore >= upperScore ? (lower, lowerScore) : (upper, upperScore)
        }

        var canSplit: Bool { cut != start && cut != end }

        static func score(_ cut: Int, _ start: Int, _ end: Int) -> Double {
            if cut == start || cut == end { return -.infinity }
            return (Double(cut - start) + 1e-8).logarithm + (Double(end - cut) + 1e-8).logarithm
                - (Double(end - start) + 1e-8).logarithm
        }
    }

    static func lowerBound(_ v: UnsafeBufferPointer<Float>, _ x: Float, _ low: Int, _ high: Int) -> Int {
        var low = low
        var high = high
        while low < high {
            let mid = (low + high) / 2
            if v[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static func upperBound(_ v: UnsafeBufferPointer<Float>, _ x: Float, _ low: Int, _ high: Int) -> Int {
        var low = low
        var high = high
        while low < high {
            let mid = (low + high) / 2
            if v[mid] <= x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// libc++ `std::push_heap`: sift the last element up.
    static func pushHeap(_ heap: inout [Bin]) {
        siftUp(&heap, from: heap.count - 1)
    }

    /// Moves `heap[hole]` up while its parent is strictly smaller (libc++'s `__sift_up`).
    static func siftUp(_ heap: inout [Bin], from start: Int) {
        var hole = start
        let value = heap[hole]
        while hole > 0 {
            let parent = (hole - 1) / 2
            guard heap[parent].score < value.score else { break }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = value
    }

    /// libc++ `std::pop_heap` (Floyd): sift the hole down to a leaf along larger children,
    /// move the last element there, sift it up; returns the old top.
    static func popHeap(_ heap: inout [Bin]) -> Bin {
        let count = heap.count
        let top = heap[0]
        var hole = 0
        while 2 * hole + 1 < count {
            var child = 2 * hole + 1
            if child + 1 < count, heap[child].score < heap[child + 1].score { child += 1 }
            heap[hole] = heap[child]
            hole = child
        }
        if hole != count - 1 {
            heap[hole] = heap[count - 1]
            siftUp(&heap, from: hole)
        }
        heap.removeLast()
        return top
    }
}
