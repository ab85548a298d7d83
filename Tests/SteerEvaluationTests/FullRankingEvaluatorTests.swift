// Full ranking: exclusion, ties, multi-target, candidates, bias, chunking, batched vs naive.

import SteerData
import SteerEvaluation
import XCTest
import SteerRandom

final class FullRankingEvaluatorTests: XCTestCase {
    private let log2of3 = 1.584962500721156

    /// Five items on a line (d = 1): item i has embedding i, so a user vector 1 ranks
    /// 4, 3, 2, 1, 0 and a user vector −1 ranks 0, 1, 2, 3, 4.
    private let line: [Float] = [0, 1, 2, 3, 4]

    func testExclusionByHand() throws {
        let evaluator = try FullRankingEvaluator(cutoffs: [1, 3])
        // User 0 (vector 1): history {4, 3} excluded → ranking 2, 1, 0; target 1 at position 1:
        //   NDCG@1 0, NDCG@3 = 1/log2(3), Recall@3 1.
        // User 1 (vector −1): nothing excluded → ranking 0, 1, 2; target 0 at position 0: all 1.
        let result = try evaluator.evaluate(
            users: [1, -1], items: line, dimension: 1, excluded: [[4, 3], []], targets: [[1], [0]])
        XCTAssertEqual(result.ndcg[0], [0, 1])
        XCTAssertEqual(result.ndcg[1][0], 1 / log2of3, accuracy: 1e-12)
        XCTAssertEqual(result.recall[1], [1, 1])
        XCTAssertEqual(result.mean.ndcg(at: 3)!, (1 / log2of3 + 1) / 2, accuracy: 1e-12)
    }

    func testTargetsAreNeverExcluded() throws {
        let evaluator = try FullRankingEvaluator(cutoffs: [1])
        // 4 is both history and target: it stays, ranks first.
        let result = try evaluator.evaluate(users: [1], items: line, dimension: 1, excluded: [[4, 3]], targets: [[4]])
        XCTAssertEqual(result.ndcg, [[1]])
    }

    func testTiesBreakByItemID() throws {
        let evaluator = try FullRankingEvaluator(cutoffs: [2])
        // All five items score 0 (user vector 0): ranking 0, 1, 2, 3, 4. Targets {3}: missed at K = 2;
        // with 0 and 1 excluded the ranking is 2, 3, 4 → hit at position 1.
        let ranked = try evaluator.rank(users: [0], items: line, dimension: 1, excluded: [[Int32]()], targets: [[Int32]()])
        XCTAssertEqual(ranked, [[0, 1]])
        let result = try evaluator.evaluate(users: [0, 0], items: line, dimension: 1, excluded: [[], [0, 1]], targets: [[3], [3]])
        XCTAssertEqual(result.recall[0], [0, 1])
        // Ties inside a heap that already holds better items: scores 5, 5, 9, 5 → 2, 0.
        let tied = try evaluator.rank(users: [1], items: [5, 5, 9, 5], dimension: 1, excluded: [[Int32]()], targets: [[Int32]()])
        XCTAssertEqual(tied, [[2, 0]])
    }

    func testMultiTargetNDCG() throws {
        let evaluator = try FullRankingEvaluator(cutoffs: [3])
        // Vector 1 ranks 4, 3, 2, …; targets {4, 2, 0}: hits at positions 0 and 2 within K = 3.
        // DCG = 1 + 1/2; IDCG over 3 slots = 1 + 1/log2(3) + 1/2; Recall = 2/3.
        let result = try evaluator.evaluate(users: [1], items: line, dimension: 1, excluded: [[Int32]()], targets: [[4, 2, 0]])
        XCTAssertEqual(result.ndcg[0][0], 1.5 / (1.5 + 1 / log2of3), accuracy: 1e-12)
        XCTAssertEqual(result.recall[0][0], 2.0 / 3, accuracy: 1e-12)
    }

    func testBiasAndCandidates() throws {
        let evaluator = try FullRankingEvaluator(cutoffs: [2])
        // Bias lifts item 0 to the top: scores 10, 1, 2, 3, 4 → 0, 4.
        let biased = try evaluator.rank(
            users: [1], items: line, dimension: 1, itemBias: [10, 0, 0, 0, 0], excluded: [[Int32]()], targets: [[Int32]()])
        XCTAssertEqual(biased, [[0, 4]])
        // Candidates {0, 1, 2} only → 2, 1; nil candidates → all items.
        let allowed = ItemBitset(itemCount: 5, items: [0, 1, 2])
        let ranked = try evaluator.rank(
            users: [1, 1], items: line, dimension: 1, excluded: [[Int32](), []], targets: [[Int32](), []], candidates: [allowed, nil])
        XCTAssertEqual(ranked, [[2, 1], [4, 3]])
        XCTAssertEqual(allowed.complement.count, 2)
    }

    func testFewerCandidatesThanK() throws {
        let evaluator = try FullRankingEvaluator(cutoffs: [10])
        let ranked = try evaluator.rank(users: [1], items: line, dimension: 1, excluded: [[0, 1, 2]], targets: [[Int32]()])
        XCTAssertEqual(ranked, [[4, 3]])
    }

    func testBatchedMatchesNaive() throws {
        var random = SeededRandom(seed: 11)
        let (users, items, d) = (37, 203, 8)
        // Small integers: products sum exactly in float32, so sgemm and the naive loop agree
        // bit for bit and ties (frequent with such values) stay ties.
        let u = (0..<(users * d)).map { _ in Float(Int.random(in: -3...3, using: &random)) }
        let e = (0..<(items * d)).map { _ in Float(Int.random(in: -3...3, using: &random)) }
        let excluded = (0..<users).map { _ in (0..<Int.random(in: 0...30, using: &random)).map { _ in Int32.random(in: 0..<Int32(items), using: &random) } }
        let targets = (0..<users).map { _ in (0..<Int.random(in: 1...4, using: &random)).map { _ in Int32.random(in: 0..<Int32(items), using: &random) } }
        // A chunk of 5 users forces several sgemm calls and a partial last chunk.
        let evaluator = try FullRankingEvaluator(cutoffs: [10, 20], maxChunkScores: 5 * items)
        let ranked = try evaluator.rank(users: u, items: e, dimension: d, excluded: excluded, targets: targets)
        let result = try evaluator.evaluate(users: u, items: e, dimension: d, excluded: excluded, targets: targets)
        for user in 0..<users {
            var scored: [(Float, Int32)] = []
            for item in 0..<items where !excluded[user].contains(Int32(item)) || targets[user].contains(Int32(item)) {
                scored.append(((0..<d).reduce(Float(0)) { $0 + u[user * d + $1] * e[item * d + $1] }, Int32(item)))
            }
            let naive = scored.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.prefix(20).map(\.1)
            XCTAssertEqual(ranked[user], Array(naive), "user \(user)")
            let values = RankingMetrics.userMetrics(ranked: Array(naive), targets: targets[user], cutoffs: [10, 20])
            XCTAssertEqual(result.ndcg[0][user], values.ndcg[0])
            XCTAssertEqual(result.recall[1][user], values.recall[1])
        }
    }

    func testRefusals() throws {
        let evaluator = try FullRankingEvaluator()
        func code(_ body: () throws -> Any) -> EvaluationError.Code? {
            do { _ = try body() } catch let error as EvaluationError { return error.code } catch { return nil }
            return nil
        }
        XCTAssertEqual(code { try evaluator.evaluate(users: [1, 2, 3], items: self.line, dimension: 2, excluded: [[Int32]()], targets: [[Int32(1)]]) }, .shapeMismatch)
        XCTAssertEqual(code { try evaluator.evaluate(users: [1], items: self.line, dimension: 1, excluded: [[Int32]()], targets: [[Int32(5)]]) }, .unknownItem)
        XCTAssertEqual(code { try evaluator.evaluate(users: [1], items: self.line, dimension: 1, excluded: [[Int32(-1)]], targets: [[Int32(0)]]) }, .unknownItem)
        XCTAssertEqual(code { try evaluator.evaluate(users: [1], items: self.line, dimension: 1, excluded: [[Int32]()], targets: [[Int32]()]) }, .noTargets)
        XCTAssertEqual(code { try evaluator.evaluate(users: [.nan], items: self.line, dimension: 1, excluded: [[Int32]()], targets: [[Int32(0)]]) }, .nonFinite)
        XCTAssertEqual(code { try evaluator.evaluate(users: [1], items: self.line, dimension: 1, itemBias: [1], excluded: [[Int32]()], targets: [[Int32(0)]]) }, .shapeMismatch)
        XCTAssertEqual(code { try FullRankingEvaluator(cutoffs: [0]) }, .invalidSetting)
        XCTAssertEqual(code { try FullRankingEvaluator(cutoffs: []) }, .invalidSetting)
    }
}
