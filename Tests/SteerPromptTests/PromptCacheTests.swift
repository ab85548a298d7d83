// PromptCache: LRU order, the byte bound, counters, key normalisation, concurrent use.
import XCTest
import SteerPrompt

final class PromptCacheTests: XCTestCase {
    private func vector(_ x: Float, _ n: Int = 4) -> [Float] { [Float](repeating: x, count: n) }
    private func cost(_ text: String, _ n: Int = 4) -> Int {
        PromptCache.entryCost(encoder: "enc", normalizedText: text, dimension: n)
    }

    func testHitMissAndNormalisedKeys() {
        let cache = PromptCache(capacityBytes: 10_000)
        XCTAssertNil(cache.get(encoder: "enc", text: "I want a comedy"))
        cache.put(encoder: "enc", text: "  I want a\tComedy ", embedding: vector(1))
        XCTAssertEqual(cache.get(encoder: "enc", text: "i want a comedy"), vector(1))
        XCTAssertEqual(cache.get(encoder: "enc", text: "I WANT  A COMEDY"), vector(1))
        XCTAssertNil(cache.get(encoder: "other", text: "i want a comedy"), "the encoder name is part of the key")
        // NFC: "é" precomposed and decomposed are one key.
        cache.put(encoder: "enc", text: "caf\u{E9}", embedding: vector(2))
        XCTAssertEqual(cache.get(encoder: "enc", text: "cafe\u{301}"), vector(2))
        let s = cache.stats
        XCTAssertEqual(s.hits, 3)
        XCTAssertEqual(s.misses, 2)
        XCTAssertEqual(s.entries, 2)
        XCTAssertEqual(s.cost, cost("i want a comedy") + cost("caf\u{E9}"))
    }

    func testLeastRecentlyUsedIsEvictedFirst() {
        let cache = PromptCache(capacityBytes: cost("a") * 3)
        for t in ["a", "b", "c"] { cache.put(encoder: "enc", text: t, embedding: vector(1)) }
        XCTAssertEqual(cache.keys(encoder: "enc"), ["c", "b", "a"])
        _ = cache.get(encoder: "enc", text: "a")          // a becomes the newest
        XCTAssertEqual(cache.keys(encoder: "enc"), ["a", "c", "b"])
        cache.put(encoder: "enc", text: "d", embedding: vector(1))   // evicts b, the oldest
        XCTAssertEqual(cache.keys(encoder: "enc"), ["d", "a", "c"])
        XCTAssertNil(cache.get(encoder: "enc", text: "b"))
        XCTAssertEqual(cache.stats.evictions, 1)
        cache.put(encoder: "enc", text: "c", embedding: vector(9))   // replacing refreshes, no eviction
        XCTAssertEqual(cache.keys(encoder: "enc"), ["c", "d", "a"])
        XCTAssertEqual(cache.get(encoder: "enc", text: "c"), vector(9))
        XCTAssertEqual(cache.stats.evictions, 1)
        XCTAssertEqual(cache.stats.entries, 3)
    }

    func testByteBoundIsNeverExceeded() {
        let capacity = 2_000
        let cache = PromptCache(capacityBytes: capacity)
        for i in 0..<200 {
            cache.put(encoder: "enc", text: String(repeating: "x", count: i % 37) + "\(i)", embedding: vector(Float(i), 1 + i % 50))
            XCTAssertLessThanOrEqual(cache.stats.cost, capacity)
        }
        let s = cache.stats
        XCTAssertGreaterThan(s.evictions, 0)
        XCTAssertEqual(s.entries, cache.keys(encoder: "enc").count)
        // An entry bigger than the whole cache is refused and evicts nothing.
        let before = cache.stats
        cache.put(encoder: "enc", text: "huge", embedding: vector(0, 1_000))
        XCTAssertNil(cache.get(encoder: "enc", text: "huge"))
        XCTAssertEqual(cache.stats.entries, before.entries)
        XCTAssertEqual(cache.stats.evictions, before.evictions)
        cache.removeAll()
        XCTAssertEqual(cache.stats.entries, 0)
        XCTAssertEqual(cache.stats.cost, 0)
        XCTAssertEqual(cache.stats.evictions, before.evictions, "counters survive removeAll")
    }

    func testEntryCostCountsFloatsKeysAndOverhead() {
        XCTAssertEqual(PromptCache.entryCost(encoder: "all-MiniLM-L6-v2", normalizedText: "no horror", dimension: 384),
                       384 * 4 + 16 + 9 + PromptCache.entryOverhead)
    }

    /// Eight threads hammering a small cache: the bound holds and every get is counted once.
    func testConcurrentUse() {
        let capacity = cost("key 00") * 20
        let cache = PromptCache(capacityBytes: capacity)
        let rounds = 2_000
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<rounds {
                let text = "key \((i * 7 + worker) % 40)"
                if let hit = cache.get(encoder: "enc", text: text) {
                    XCTAssertEqual(hit.count, 4)
                } else {
                    cache.put(encoder: "enc", text: text, embedding: [Float](repeating: Float(worker), count: 4))
                }
            }
        }
        let s = cache.stats
        XCTAssertEqual(s.hits + s.misses, UInt64(8 * rounds))
        XCTAssertLessThanOrEqual(s.cost, capacity)
        XCTAssertEqual(s.entries, cache.keys(encoder: "enc").count)
        XCTAssertLessThanOrEqual(s.entries, 20)
    }
}
