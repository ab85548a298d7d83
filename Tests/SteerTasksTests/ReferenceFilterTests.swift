// The POS reference filters "all target genres" and "exact genre set" on a catalogue small
// enough to rank by hand, their report rows, and the gain lines that compare DPR with them.

import Foundation
import SteerData
import SteerEvaluation
@testable import SteerTasks
import XCTest

final class ReferenceFilterTests: XCTestCase {
    /// Seven items, d = 2; the score of item i for the user vector (1, 0) is its first coordinate.
    ///
    ///     item  genres          score
    ///     i0    Action Comedy   5     (the history: masked)
    ///     i1    Action Comedy   3
    ///     i2    Drama           2.8
    ///     i3    Comedy          2.5
    ///     i4    Action Comedy Drama  2
    ///     i5    Action Comedy   1     (the target)
    ///     i6    Action          0.5
    ///
    /// Category ids (sorted names): Action 0, Comedy 1, Drama 2.
    static let dataset = oneUserDataset(genres: [
        ["Action", "Comedy"], ["Action", "Comedy"], ["Drama"], ["Comedy"], ["Action", "Comedy", "Drama"], ["Action", "Comedy"], ["Action"],
    ])
    static let items: [Float] = [5, 0, 3, 0, 2.8, 0, 2.5, 0, 2, 0, 1, 0, 0.5, 0]
    static let user: [Float] = [1, 0]
    /// POS "Comedy", target i5 {Action, Comedy}.
    static let pos = SteeringTask(
        user: 0, polarity: .positive, window: 3, genre: 1, history: [0], windowItems: [6, 2, 5], targets: [5], compliance: [5],
        pool: .evaluation)
    /// NEG "avoid Action", targets i2 and i3.
    static let neg = SteeringTask(
        user: 0, polarity: .negative, window: 3, genre: 0, history: [0], windowItems: [1, 2, 3], targets: [2, 3], compliance: [2, 3],
        pool: .evaluation)

    /// By hand, the target i5 among the candidates, best first (i0 masked):
    /// - Base: i1 i2 i3 i4 i5 i6, rank 5: NDCG@10 = 1/log2 6, NDCG@2 = 0, Recall@10 = 1, @2 = 0.
    /// - Filter (Comedy): i1 i3 i4 i5, rank 4: NDCG@10 = 1/log2 5, @2 = 0; Recall@10 = 1, @2 = 0.
    /// - all target genres (Action and Comedy): i1 i4 i5 (i4 has Drama too, still in), rank 3:
    ///   NDCG@10 = 1/log2 4 = 0.5, @2 = 0; Recall@10 = 1, @2 = 0.
    /// - exact genre set ({Action, Comedy}): i1 i5 (i4 out), rank 2: NDCG@2 = NDCG@10 = 1/log2 3;
    ///   Recall@2 = Recall@10 = 1.
    func testReferenceFiltersByHand() throws {
        let ranking = TaskRanking(dataset: Self.dataset, evaluator: try FullRankingEvaluator(cutoffs: [2, 10]))
        func run(_ method: RankingMethod) throws -> PerUserMetrics {
            try ranking.evaluate([Self.pos], method: method, queries: .perUser(Self.user), items: Self.items, dimension: 2)
        }
        let expected: [(RankingMethod, ndcg2: Double, ndcg10: Double, recall2: Double, recall10: Double)] = [
            (.base, 0, l(6), 0, 1), (.filter, 0, l(5), 0, 1), (.filterAllTargetGenres, 0, 0.5, 0, 1),
            (.filterExactGenreSet, l(3), l(3), 1, 1),
        ]
        for (method, ndcg2, ndcg10, recall2, recall10) in expected {
            let m = try run(method)
            XCTAssertEqual(m.ndcg[0][0], ndcg2, accuracy: 1e-9, "\(method) NDCG@2")
            XCTAssertEqual(m.ndcg[1][0], ndcg10, accuracy: 1e-9, "\(method) NDCG@10")
            XCTAssertEqual(m.recall[0][0], recall2, accuracy: 1e-9, "\(method) Recall@2")
            XCTAssertEqual(m.recall[1][0], recall10, accuracy: 1e-9, "\(method) Recall@10")
        }
        func top(_ method: RankingMethod) throws -> [Int32] {
            try ranking.rank([Self.pos], method: method, queries: .perUser(Self.user), items: Self.items, dimension: 2)[0]
        }
        XCTAssertEqual(try top(.filterAllTargetGenres), [1, 4, 5])
        XCTAssertEqual(try top(.filterExactGenreSet), [1, 5])
    }

    /// The references rank POS tasks only: asked for a NEG task directly they refuse, and in a
    /// report they leave the NEG cells empty while Base and Filter keep theirs.
    func testReferencesArePOSOnly() throws {
        let ranking = TaskRanking(dataset: Self.dataset, evaluator: try FullRankingEvaluator(cutoffs: [2, 10]))
        for method in [RankingMethod.filterAllTargetGenres, .filterExactGenreSet] {
            XCTAssertFalse(method.applies(to: .negative))
            XCTAssertThrowsError(try ranking.evaluate([Self.pos, Self.neg], method: method, queries: .perUser(Self.user),
                                                      items: Self.items, dimension: 2)) {
                XCTAssertEqual(($0 as? TasksError)?.code, .invalidSetting)
            }
        }
        let set = TaskSet(window: 3, positive: [Self.pos], negative: [Self.neg])
        var report = ControllableReport(title: "tiny")
        for method in RankingMethod.allCases {
            // Per-task vectors too: a POS-only method must skip the NEG tasks' rows, not misalign.
            try ranking.evaluate(model: method.label(), method: method, taskSets: [set], queries: .perTask(Self.user + Self.user),
                                 items: Self.items, dimension: 2, into: &report)
        }
        XCTAssertEqual(report.models, ["Base", "Filter", "Filter, all target genres", "Filter, exact genre set"])
        XCTAssertEqual(report.metrics(model: "Filter, all target genres", task: .pos, window: 3)?.ndcg(at: 10) ?? 0, 0.5, accuracy: 1e-9)
        XCTAssertEqual(report.metrics(model: "Filter, exact genre set", task: .pos, window: 3)?.ndcg(at: 10) ?? 0, l(3), accuracy: 1e-9)
        XCTAssertNil(report.metrics(model: "Filter, all target genres", task: .neg, window: 3))
        XCTAssertNotNil(report.metrics(model: "Filter", task: .neg, window: 3))
        XCTAssertTrue(report.markdown().contains("| Filter, exact genre set | 0.6309 |"), report.markdown())
        XCTAssertTrue(report.csv().contains("\"Filter, all target genres\",POS,3,1,"), report.csv())
    }

    func testLabels() {
        XCTAssertEqual(RankingMethod.allCases.map { $0.label() }, ["Base", "Filter", "Filter, all target genres", "Filter, exact genre set"])
        XCTAssertEqual(RankingMethod.allCases.map { $0.label(suffix: "+f") },
                       ["Base+f", "Filter+f", "Filter+f, all target genres", "Filter+f, exact genre set"])
    }

    /// The "best Filter" line keeps comparing with the genre filters (its figures do not move when
    /// the references join the report); each reference kind gets a POS line of its own.
    func testGainLinesKeepBestFilterAndAddTheReferences() {
        let report = gainReport([
            ("Filter", .pos, 0.30), ("Filter, all target genres", .pos, 0.50), ("Filter, exact genre set", .pos, 0.60),
            ("Filter+f", .pos, 0.32), ("Filter+f, all target genres", .pos, 0.55), ("Filter", .neg, 0.10),
            ("DPR", .pos, 0.33), ("DPR", .neg, 0.11),
        ])
        XCTAssertEqual(report.relativeGains(), [
            "DPR POS NDCG@10 0.3300 vs best Filter (Filter+f) 0.3200: +3.1%",
            "DPR NEG NDCG@10 0.1100 vs best Filter (Filter) 0.1000: +10.0%",
            "DPR POS NDCG@10 0.3300 vs best Filter, all target genres (Filter+f, all target genres) 0.5500: -40.0%",
            "DPR POS NDCG@10 0.3300 vs best Filter, exact genre set (Filter, exact genre set) 0.6000: -45.0%",
        ])
    }
}
