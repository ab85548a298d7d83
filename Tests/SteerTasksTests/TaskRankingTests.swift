// Base and Filter on a tiny example computed by hand, and the report writers.

import Foundation
import SteerData
import SteerEvaluation
import SteerRandom
@testable import SteerTasks
import XCTest

final class TaskRankingTests: XCTestCase {
    /// Six items, d = 2, scores for the user vector (1, 0): i0 4, i1 3, i2 2, i3 1, i4 0.5,
    /// i5 0.2. Genres: i0 A, i1 C, i2 A, i3 D, i4 C, i5 D. History [i0] (masked).
    static let dataset = oneUserDataset(genres: [["Action"], ["Comedy"], ["Action"], ["Drama"], ["Comedy"], ["Drama"]])
    static let items: [Float] = [4, 0, 3, 0, 2, 0, 1, 0, 0.5, 0, 0.2, 0]
    static let user: [Float] = [1, 0]
    static let (action, drama): (Int32, Int32) = (0, 2)

    static let history: ArraySlice<Int32> = [0]
    /// POS: "Drama", target i5.
    static let pos = SteeringTask(
        user: 0, polarity: .positive, window: 3, genre: drama, history: history, windowItems: [1, 4, 5],
        targets: [5], compliance: [5], pool: .evaluation)
    /// NEG: "avoid Action", targets i3 and i4.
    static let neg = SteeringTask(
        user: 0, polarity: .negative, window: 3, genre: action, history: history, windowItems: [2, 3, 4],
        targets: [3, 4], compliance: [3, 4], pool: .evaluation)

    /// By hand:
    /// - POS Base: ranking i1 i2 i3 i4 i5, target at rank 5: NDCG@10 = 1/log2 6, @2 = 0;
    ///   Recall@10 = 1, @2 = 0.
    /// - POS Filter (Drama only: i3 i5): target at rank 2: NDCG@2 = NDCG@10 = 1/log2 3,
    ///   Recall 1.
    /// - NEG Base: i1 i2 i3 i4 i5, hits at ranks 3 and 4: NDCG@10 = (1/2 + 1/log2 5) /
    ///   (1 + 1/log2 3); @2 = 0; Recall@10 = 1, @2 = 0.
    /// - NEG Filter (no Action: i1 i3 i4 i5): hits at ranks 2 and 3: NDCG@10 = (1/log2 3 +
    ///   1/2) / (1 + 1/log2 3); @2 = (1/log2 3) / (1 + 1/log2 3); Recall@2 = 1/2.
    func testBaseAndFilterByHand() throws {
        let ranking = TaskRanking(dataset: Self.dataset, evaluator: try FullRankingEvaluator(cutoffs: [2, 10]))
        func run(_ method: RankingMethod) throws -> PerUserMetrics {
            try ranking.evaluate([Self.pos, Self.neg], method: method, queries: .perUser(Self.user), items: Self.items, dimension: 2)
        }
        let base = try run(.base), filter = try run(.filter)
        let ideal2 = 1 + l(3)
        let expected: [(PerUserMetrics, [[Double]], [[Double]])] = [
            (base, [[0, 0], [l(6), (0.5 + l(5)) / ideal2]], [[0, 0], [1, 1]]),
            (filter, [[l(3), l(3) / ideal2], [l(3), (l(3) + 0.5) / ideal2]], [[1, 0.5], [1, 1]]),
        ]
        for (metrics, ndcg, recall) in expected {
            for c in 0..<2 {
                for t in 0..<2 {
                    XCTAssertEqual(metrics.ndcg[c][t], ndcg[c][t], accuracy: 1e-9, "ndcg c\(c) t\(t)")
                    XCTAssertEqual(metrics.recall[c][t], recall[c][t], accuracy: 1e-9, "recall c\(c) t\(t)")
                }
            }
        }
        XCTAssertEqual(try ranking.rank([Self.pos, Self.neg], method: .filter, queries: .perUser(Self.user), items: Self.items, dimension: 2),
                       [[3, 5], [1, 3, 4, 5]])
    }

    func testPerTaskQueriesAndShapeErrors() throws {
        let ranking = TaskRanking(dataset: Self.dataset, evaluator: try FullRankingEvaluator(cutoffs: [2, 10]))
        let perTask = try ranking.evaluate(
            [Self.pos, Self.neg], method: .base, queries: .perTask(Self.user + Self.user), items: Self.items, dimension: 2)
        let perUser = try ranking.evaluate([Self.pos, Self.neg], method: .base, queries: .perUser(Self.user), items: Self.items, dimension: 2)
        XCTAssertEqual(perTask, perUser)
        // Case rows for users 0 and (absent) 7, in another order.
        let perCase = try ranking.evaluate(
            [Self.pos, Self.neg], method: .base, queries: .perCase([0, 9] + Self.user, users: [7, 0]), items: Self.items, dimension: 2)
        XCTAssertEqual(perCase, perUser)
        XCTAssertThrowsError(try ranking.evaluate([Self.pos], method: .base, queries: .perCase([0, 9], users: [7]), items: Self.items, dimension: 2)) {
            XCTAssertEqual(($0 as? TasksError)?.code, .shapeMismatch)
        }
        XCTAssertThrowsError(try ranking.evaluate([Self.pos], method: .base, queries: .perTask([1, 0, 1]), items: Self.items, dimension: 2)) {
            XCTAssertEqual(($0 as? TasksError)?.code, .shapeMismatch)
        }
        XCTAssertThrowsError(try ranking.evaluate([Self.pos], method: .base, queries: .perUser([]), items: Self.items, dimension: 2)) {
            XCTAssertEqual(($0 as? TasksError)?.code, .shapeMismatch)
        }
    }

    func testReportAveragesWindowsAndWrites() throws {
        var report = ControllableReport(title: "tiny")
        let m = { (n: Double, users: Int) in RankingMetrics(cutoffs: [10, 20], ndcg: [n, n + 0.1], recall: [n * 2, n * 2 + 0.1], users: users) }
        report.append(model: "Base", task: .seq, window: nil, metrics: m(0.15, 6))
        report.append(model: "Base", task: .pos, window: 3, metrics: m(0.1, 10))
        report.append(model: "Base", task: .pos, window: 5, metrics: m(0.2, 20))
        report.append(model: "Base", task: .neg, window: 3, metrics: m(0.3, 5))
        report.append(model: "Filter", task: .pos, window: 3, metrics: m(0.4, 10))
        report.append(model: "Filter", task: .pos, window: 3, metrics: m(0.5, 10))  // replaces
        let average = try XCTUnwrap(report.averaged(model: "Base", task: .pos))
        XCTAssertEqual(average.ndcg[0], 0.15, accuracy: 1e-12)
        XCTAssertEqual(average.users, 30)
        XCTAssertEqual(report.metrics(model: "Filter", task: .pos, window: 3)?.ndcg[0], 0.5)
        XCTAssertEqual(report.models, ["Base", "Filter"])
        let markdown = report.markdown()
        XCTAssertTrue(markdown.contains("| Model | SEQ N@10 | SEQ N@20 | SEQ R@10 | SEQ R@20 | POS N@10 |"), markdown)
        XCTAssertTrue(markdown.contains("| Base | 0.1500 | 0.2500 | 0.3000 | 0.4000 | 0.1500 |"), markdown)
        XCTAssertTrue(markdown.contains("#### N = 5"), markdown)
        XCTAssertTrue(markdown.contains("| Filter | – |"), markdown)
        let csv = report.csv().split(separator: "\n")
        XCTAssertEqual(csv[0], "model,task,window,tasks,ndcg@10,ndcg@20,recall@10,recall@20")
        XCTAssertTrue(csv.contains("Base,POS,avg,30,0.150000,0.250000,0.300000,0.400000"), "\(csv)")
        XCTAssertEqual(try ControllableReport.decode(report.json()), report)
    }

    /// The per-window suite call on the synthetic split, per-user and per-task forms agree.
    func testSuiteOverTaskSets() throws {
        let split = SyntheticData.split
        let sets = try TaskBuilder(split: split).taskSets(windows: [3, 5])
        let d = 4
        var generator = SeededRandom(seed: 3)
        let users = (0..<(split.dataset.userCount * d)).map { _ in Float.random(in: -1...1, using: &generator) }
        let items = (0..<(split.dataset.itemCount * d)).map { _ in Float.random(in: -1...1, using: &generator) }
        let ranking = TaskRanking(dataset: split.dataset, evaluator: try FullRankingEvaluator())
        var a = ControllableReport(title: "a"), b = ControllableReport(title: "a")
        try ranking.evaluate(model: "Filter", method: .filter, taskSets: sets, queries: .perUser(users), items: items, dimension: d, into: &a)
        var perTask: [Float] = []
        for set in sets {
            for task in set.positive + set.negative { perTask += users[(task.user * d)..<((task.user + 1) * d)] }
        }
        try ranking.evaluate(model: "Filter", method: .filter, taskSets: sets, queries: .perTask(perTask), items: items, dimension: d, into: &b)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.entries.count, 4)
        XCTAssertEqual(a.metrics(model: "Filter", task: .pos, window: 5)?.users, 5)
    }
}

/// The "vs best Filter" lines compare steered rows with the Filter baselines only: a DPR
/// ranking with the genre filter on top is a steered row itself, never the baseline.
final class RelativeGainTests: XCTestCase {
    func testBestFilterIgnoresSteeredRows() {
        let report = gainReport([("Filter", .pos, 0.30), ("Filter+f", .pos, 0.32), ("DPR", .pos, 0.33), ("DPR + Filter", .pos, 0.40)])
        let lines = report.relativeGains()
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0], "DPR POS NDCG@10 0.3300 vs best Filter (Filter+f) 0.3200: +3.1%")
        XCTAssertEqual(lines[1], "DPR + Filter POS NDCG@10 0.4000 vs best Filter (Filter+f) 0.3200: +25.0%")
    }
}
