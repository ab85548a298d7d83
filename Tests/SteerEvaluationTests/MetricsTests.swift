// NDCG@K and Recall@K against values computed by hand.

import SteerEvaluation
import XCTest

final class MetricsTests: XCTestCase {
    private let log2of3 = 1.584962500721156  // log2(3)

    func testSingleTargetAtRankOneAndThree() {
        // Target at position 0: DCG = 1/log2(2) = 1 = IDCG → NDCG 1, Recall 1.
        var values = RankingMetrics.userMetrics(ranked: [7, 1, 2], targets: [7], cutoffs: [1, 10])
        XCTAssertEqual(values.ndcg, [1, 1])
        XCTAssertEqual(values.recall, [1, 1])
        // Target at position 2: DCG = 1/log2(4) = 0.5, IDCG = 1 → NDCG@10 0.5; missed at K = 1.
        values = RankingMetrics.userMetrics(ranked: [1, 2, 7], targets: [7], cutoffs: [1, 10])
        XCTAssertEqual(values.ndcg, [0, 0.5])
        XCTAssertEqual(values.recall, [0, 1])
    }

    func testMultipleTargets() {
        // Targets {4, 9, 5}; ranked [4, 1, 9, 2]: hits at positions 0 and 2.
        // DCG = 1 + 1/log2(4) = 1.5; IDCG@10 over min(3, 10) = 3 slots = 1 + 1/log2(3) + 1/2.
        // K = 2: one hit (position 0), DCG 1, IDCG = 1 + 1/log2(3); Recall = 1/3.
        let values = RankingMetrics.userMetrics(ranked: [4, 1, 9, 2], targets: [4, 9, 5], cutoffs: [2, 10])
        XCTAssertEqual(values.ndcg[0], 1 / (1 + 1 / log2of3), accuracy: 1e-12)
        XCTAssertEqual(values.ndcg[1], 1.5 / (1.5 + 1 / log2of3), accuracy: 1e-12)
        XCTAssertEqual(values.recall[0], 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(values.recall[1], 2.0 / 3, accuracy: 1e-12)
    }

    func testDuplicateTargetsCountOnce() {
        let values = RankingMetrics.userMetrics(ranked: [3], targets: [3, 3], cutoffs: [10])
        XCTAssertEqual(values.ndcg, [1])
        XCTAssertEqual(values.recall, [1])
    }

    func testMeans() {
        let perUser = PerUserMetrics(cutoffs: [10], ndcg: [[1, 0.5, 0]], recall: [[1, 1, 0]])
        let mean = perUser.mean
        XCTAssertEqual(mean.users, 3)
        XCTAssertEqual(mean.ndcg(at: 10)!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(mean.recall(at: 10)!, 2.0 / 3, accuracy: 1e-12)
        XCTAssertNil(mean.ndcg(at: 20))
    }
}
