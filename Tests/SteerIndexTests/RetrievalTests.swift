// Exact retrieval (BLAS sgemv/sgemm + top-K heap) against the naive reference, filters and errors.
import Dispatch
import Synchronization
import XCTest

@testable import SteerIndex
import SteerRandom

final class RetrievalTests: XCTestCase {
    /// A random index with integer-valued embeddings, duplicated rows (ties) and 1–3 categories per item.
    static func makeIndex(items n: Int, dim d: Int, categories: Int, rng: inout SeededRandom) throws -> ItemIndex {
        var e = (0..<n * d).map { _ in rng.smallInt(-3...3) }
        // Every 7th item copies an earlier one: equal scores whose order must follow item ids.
        for i in stride(from: 7, to: n, by: 7) {
            let src = Int.random(in: 0..<i, using: &rng)
            for c in 0..<d { e[i * d + c] = e[src * d + c] }
        }
        let cats = (0..<n).map { _ in
            (0..<Int.random(in: 1...3, using: &rng)).map { _ in UInt32.random(in: 0..<UInt32(categories), using: &rng) }
        }
        return try ItemIndex(embeddings: e, dimension: d, itemCategories: cats, categoryCount: categories)
    }

    static func randomQuery(_ index: ItemIndex, rng: inout SeededRandom, filters: Bool) -> RetrievalQuery {
        var q = RetrievalQuery(vector: (0..<index.dimension).map { _ in rng.smallInt(-2...2) })
        guard filters else { return q }
        let pick = { (n: Int, rng: inout SeededRandom) -> [UInt32] in
            (0..<Int.random(in: 0...n, using: &rng)).map { _ in UInt32.random(in: 0..<UInt32(index.categoryCount), using: &rng) }
        }
        q.excludeItems = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt32.random(in: 0..<UInt32(index.count), using: &rng) }
        q.requireCategories = pick(3, &rng)
        q.excludeCategories = pick(2, &rng)
        return q
    }

    func testSingleQueriesMatchNaive() throws {
        var rng = SeededRandom(seed: 1)
        // 70 categories: two bitset words per item.
        let index = try Self.makeIndex(items: 500, dim: 12, categories: 70, rng: &rng)
        for trial in 0..<200 {
            let q = Self.randomQuery(index, rng: &rng, filters: trial % 4 != 0)
            for k in [1, 10, 64, 600] {
                XCTAssertEqual(try index.retrieve(q, k: k), try NaiveRetrieval.retrieve([q], k: k, in: index)[0], "trial \(trial) k \(k)")
            }
        }
    }

    func testBatchesMatchNaiveAcrossChunks() throws {
        var rng = SeededRandom(seed: 2)
        let index = try Self.makeIndex(items: 301, dim: 16, categories: 18, rng: &rng)
        let queries = (0..<37).map { i in Self.randomQuery(index, rng: &rng, filters: i % 3 != 0) }
        let expected = try NaiveRetrieval.retrieve(queries, k: 25, in: index)
        XCTAssertEqual(try index.retrieve(queries, k: 25), expected)
        // Chunks of 4 rows, the last of one row (the sgemv path inside a batch).
        XCTAssertEqual(try index.retrieve(queries, k: 25, scoreBudget: 4 * 301), expected)
        XCTAssertEqual(try index.retrieve(queries, k: 25, scoreBudget: 1), expected)
        XCTAssertEqual(try index.retrieve([], k: 5), [])
    }

    func testRealValuedDataAgreesWithinTolerance() throws {
        var rng = SeededRandom(seed: 3)
        let n = 2000, d = 64
        let e = (0..<n * d).map { _ in Float.random(in: -1...1, using: &rng) }
        let index = try ItemIndex(embeddings: e, dimension: d, itemCategories: Array(repeating: [], count: n), categoryCount: 0)
        let queries = (0..<8).map { _ in RetrievalQuery(vector: (0..<d).map { _ in Float.random(in: -1...1, using: &rng) }) }
        let fast = try index.retrieve(queries, k: 20)
        let slow = try NaiveRetrieval.retrieve(queries, k: 20, in: index)
        for (f, s) in zip(fast, slow) {
            XCTAssertEqual(f.count, 20)
            for (a, b) in zip(f, s) { XCTAssertEqual(a.score, b.score, accuracy: 1e-4) }
            XCTAssertEqual(f.map(\.score), f.map(\.score).sorted(by: >))
        }
    }

    func testTiesAreBrokenByAscendingItemID() throws {
        let index = try ItemIndex(
            embeddings: Array(repeating: 1, count: 10 * 2), dimension: 2,
            itemCategories: Array(repeating: [], count: 10), categoryCount: 0)
        let result = try index.retrieve(RetrievalQuery(vector: [1, 1], excludeItems: [0, 3]), k: 5)
        XCTAssertEqual(result, [1, 2, 4, 5, 6].map { ScoredItem(item: $0, score: 2) })
    }

    func testBlocksBelowTheThresholdKeepTiesInIDOrder() throws {
        // 100 equal scores (whole 16-score blocks that never beat the full heap's threshold), one
        // higher score inside a block, and one in the scalar tail after the last whole block.
        // Small integers in one dimension: every score is exact on any CPU and BLAS kernel, so the
        // tie order is the contract checked, not a rounding accident.
        var e = [Float](repeating: 1, count: 100)
        e[77] = 2
        e[98] = 3
        let index = try ItemIndex(embeddings: e, dimension: 1, itemCategories: Array(repeating: [], count: 100), categoryCount: 0)
        XCTAssertEqual(try index.retrieve(RetrievalQuery(vector: [1]), k: 4).map(\.item), [98, 77, 0, 1])
        XCTAssertEqual(try index.retrieve(RetrievalQuery(vector: [1], excludeItems: [0, 98]), k: 3).map(\.item), [77, 1, 2])
        XCTAssertEqual(try index.retrieve(RetrievalQuery(vector: [-1]), k: 3).map(\.item), [0, 1, 2])
    }

    func testFilters() throws {
        // Item i has embedding [i] and category i % 3; score = i, so the best items have high ids.
        let index = try ItemIndex(
            embeddings: (0..<12).map(Float.init), dimension: 1,
            itemCategories: (0..<12).map { [UInt32($0 % 3)] }, categoryCount: 3)
        func items(_ q: RetrievalQuery, k: Int = 4) throws -> [UInt32] { try index.retrieve(q, k: k).map(\.item) }
        XCTAssertEqual(try items(.init(vector: [1])), [11, 10, 9, 8])
        XCTAssertEqual(try items(.init(vector: [1], requireCategories: [0])), [9, 6, 3, 0])
        XCTAssertEqual(try items(.init(vector: [1], requireCategories: [0, 2])), [11, 9, 8, 6])
        XCTAssertEqual(try items(.init(vector: [1], excludeCategories: [2])), [10, 9, 7, 6])
        XCTAssertEqual(try items(.init(vector: [1], excludeItems: [11, 9])), [10, 8, 7, 6])
        XCTAssertEqual(
            try items(.init(vector: [1], excludeItems: [10], requireCategories: [1, 2], excludeCategories: [2])), [7, 4, 1])
        // Requiring and excluding the same category leaves nothing.
        XCTAssertEqual(try items(.init(vector: [1], requireCategories: [1], excludeCategories: [1])), [])
        // k beyond the eligible count returns what there is.
        XCTAssertEqual(try items(.init(vector: [1], requireCategories: [1]), k: 100), [10, 7, 4, 1])
        XCTAssertEqual(try items(.init(vector: [-1]), k: 100), Array(0..<12))
    }

    func testErrors() throws {
        let index = try ItemIndex(
            embeddings: [1, 0, 0, 1], dimension: 2, itemCategories: [[0], [1]], categoryCount: 2)
        func code(_ queries: [RetrievalQuery], k: Int = 1) -> ItemIndexError.Code? {
            do {
                _ = try index.retrieve(queries, k: k)
                XCTFail("expected an error")
            } catch let error as ItemIndexError {
                XCTAssertEqual(try? NaiveRetrieval.retrieve(queries, k: k, in: index), nil, "naive must refuse too")
                return error.code
            } catch { XCTFail("\(error)") }
            return nil
        }
        let ok = RetrievalQuery(vector: [1, 1])
        XCTAssertEqual(code([ok, .init(vector: [1])]), .dimensionMismatch)
        XCTAssertEqual(code([.init(vector: [1, .nan])]), .nonFinite)
        // Finite, but ‖q‖ · the largest item norm is beyond Float: the scores would be ±inf or NaN.
        XCTAssertEqual(code([.init(vector: [3e38, -3e38])]), .outOfRange)
        XCTAssertEqual(code([.init(vector: [Float.greatestFiniteMagnitude, 0])]), .outOfRange)
        // Within the bound (half of Float's range here) a query is served, with finite scores.
        XCTAssertEqual(try index.retrieve(.init(vector: [1e38, 1e38]), k: 2).map(\.score), [1e38, 1e38])
        XCTAssertEqual(code([.init(vector: [1, 1], excludeItems: [2])]), .unknownItem)
        XCTAssertEqual(code([.init(vector: [1, 1], requireCategories: [2])]), .unknownCategory)
        XCTAssertEqual(code([.init(vector: [1, 1], excludeCategories: [99])]), .unknownCategory)
        XCTAssertEqual(code([ok], k: 0), .invalidK)
        XCTAssertEqual(code([ok], k: ItemIndex.maxK + 1), .invalidK)
        do {
            _ = try index.retrieve([ok, .init(vector: [1, 2, 3])], k: 1)
        } catch {
            XCTAssertEqual("\(error)", "query 1 has a vector of length 3, the index dimension is 2")
        }
    }

    func testScoresForVector() throws {
        let index = try ItemIndex(embeddings: [1, 2, 3, 4, 5, 6], dimension: 2, itemCategories: [[], [], []], categoryCount: 0)
        XCTAssertEqual(try index.scores(for: [1, -1]), [-1, -1, -1])
        XCTAssertEqual(try index.scores(for: [2, 0]), [2, 6, 10])
    }

    func testConcurrentRetrievalFromManyThreads() throws {
        // The daemon shares one index across requests; OpenBLAS calls must not interfere.
        var rng = SeededRandom(seed: 4)
        let index = try Self.makeIndex(items: 400, dim: 8, categories: 10, rng: &rng)
        let batches = (0..<16).map { _ in (0..<5).map { _ in Self.randomQuery(index, rng: &rng, filters: true) } }
        let expected = try batches.map { try NaiveRetrieval.retrieve($0, k: 7, in: index) }
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let b = i % batches.count
            let got = i % 2 == 0 ? try? index.retrieve(batches[b], k: 7) : try? batches[b].map { try index.retrieve($0, k: 7) }
            if got != expected[b] { mismatches.withLock { $0 += 1 } }
        }
        XCTAssertEqual(mismatches.withLock { $0 }, 0)
    }

    func testEmptyIndex() throws {
        let index = try ItemIndex(embeddings: [], dimension: 4, itemCategories: [], categoryCount: 5)
        XCTAssertEqual(try index.retrieve([.init(vector: [0, 0, 0, 0]), .init(vector: [1, 1, 1, 1])], k: 3), [[], []])
    }
}
