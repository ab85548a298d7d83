// LRUCache with a caller's cost: recency order, the bound, refusal of what cannot fit, and keys
// that hash alike but differ.
import SteerSync
import XCTest

final class LRUCacheTests: XCTestCase {
    func testCostBoundAndRecencyOrder() {
        let cache = LRUCache<String, [Int]>(capacity: 10) { _, value in value.count }
        cache.put("a", [1, 2, 3])
        cache.put("b", [1, 2, 3])
        cache.put("c", [1, 2, 3])
        XCTAssertEqual(cache.get("a"), [1, 2, 3])          // a is now the newest
        cache.put("d", [1, 2])                             // 9 + 2 > 10: b, the oldest, goes
        XCTAssertNil(cache.get("b"))
        XCTAssertEqual(cache.entries().map(\.key), ["c", "a", "d"])
        XCTAssertEqual(cache.stats.cost, 8)
        XCTAssertEqual(cache.stats.evictions, 1)
        cache.put("huge", Array(repeating: 0, count: 11))  // more than the capacity: refused, nothing evicted
        XCTAssertNil(cache.get("huge"))
        XCTAssertEqual(cache.stats.entries, 3)
        XCTAssertEqual(cache.stats.hits, 1)
        XCTAssertEqual(cache.stats.misses, 2)
        cache.removeAll()
        XCTAssertEqual(cache.stats.entries, 0)
        XCTAssertEqual(cache.stats.cost, 0)
        XCTAssertEqual(cache.stats.evictions, 1, "counters survive removeAll")
    }

    /// Keys with one hash are still told apart by ==, so a collision is a miss, not the other's value.
    func testCollidingKeysAreDistinct() {
        struct Colliding: Hashable, Sendable {
            let id: Int
            func hash(into hasher: inout Hasher) { hasher.combine(0) }
        }
        let cache = LRUCache<Colliding, Int>(capacity: 100) { _, _ in 1 }
        cache.put(Colliding(id: 1), 10)
        XCTAssertNil(cache.get(Colliding(id: 2)))
        cache.put(Colliding(id: 2), 20)
        XCTAssertEqual(cache.get(Colliding(id: 1)), 10)
        XCTAssertEqual(cache.get(Colliding(id: 2)), 20)
    }
}
