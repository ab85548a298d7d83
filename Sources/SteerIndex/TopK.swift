// Bounded selection of the K best scored items without sorting all V of them.

/// A min-heap of at most `k` items whose root is the worst kept item (lowest score; among equal
/// scores, highest id), so each offer is O(1) when rejected and O(log k) when kept.
struct TopK {
    let k: Int
    private(set) var heap: [ScoredItem] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(k)
    }

    /// Whether `a` is worse than `b` in the result order.
    @inline(__always)
    private static func worse(_ a: ScoredItem, _ b: ScoredItem) -> Bool {
        a.score < b.score || (a.score == b.score && a.item > b.item)
    }

    /// The score a candidate must beat once the heap is full (`-inf` before).
    var isFull: Bool { heap.count == k }
    var threshold: Float { heap.count == k ? heap[0].score : -.infinity }

    @inline(__always)
    mutating func offer(_ candidate: ScoredItem) {
        if heap.count < k {
            heap.append(candidate)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard Self.worse(heap[i], heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        } else if Self.worse(heap[0], candidate) {
            heap[0] = candidate
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, Self.worse(heap[l], heap[m]) { m = l }
                if r < heap.count, Self.worse(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
    }

    /// The kept items, best first.
    func sorted() -> [ScoredItem] { heap.sorted(by: ScoredItem.ranksBefore) }
}
