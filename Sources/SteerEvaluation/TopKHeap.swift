// Bounded top-K selection over one row of scores, ties broken by item id ascending.

/// Keeps the K best (score, item) pairs seen, where better means a higher score or, on equal
/// scores, a lower item id — so rankings are deterministic whatever the scan order.
///
/// A min-heap on "worse first": the root is the worst pair kept, replaced when a better one
/// arrives. - Complexity: O(n log K) for n pushes, O(K log K) for ``sorted()``.
struct TopKHeap {
    private(set) var scores: [Float] = []
    private(set) var items: [Int32] = []
    let k: Int

    init(k: Int) {
        self.k = k
        scores.reserveCapacity(k)
        items.reserveCapacity(k)
    }

    /// Whether (a, ia) ranks below (b, ib).
    @inline(__always) static func worse(_ a: Float, _ ia: Int32, than b: Float, _ ib: Int32) -> Bool {
        a < b || (a == b && ia > ib)
    }

    mutating func removeAll() {
        scores.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
    }

    /// Whether K pairs are kept, so that a new pair must beat ``worstScore``.
    var isFull: Bool { scores.count == k }
    /// The worst kept score (the root); meaningful when not empty.
    var worstScore: Float { scores[0] }

    @inline(__always) mutating func push(_ score: Float, _ item: Int32) {
        if scores.count < k {
            scores.append(score)
            items.append(item)
            siftUp(scores.count - 1)
        } else if Self.worse(scores[0], items[0], than: score, item) {
            scores[0] = score
            items[0] = item
            siftDown(0)
        }
    }

    /// The kept items, best first.
    func sorted() -> [Int32] {
        zip(scores, items).sorted { Self.worse($1.0, $1.1, than: $0.0, $0.1) }.map(\.1)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(scores[child], items[child], than: scores[parent], items[parent]) else { return }
            scores.swapAt(child, parent)
            items.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = scores.count
        while true {
            var worst = parent
            let left = 2 * parent + 1
            let right = left + 1
            if left < count, Self.worse(scores[left], items[left], than: scores[worst], items[worst]) { worst = left }
            if right < count, Self.worse(scores[right], items[right], than: scores[worst], items[worst]) { worst = right }
            guard worst != parent else { return }
            scores.swapAt(worst, parent)
            items.swapAt(worst, parent)
            parent = worst
        }
    }
}
