// Task counts on ML-1M's 8:1:1 split against the reference task counts published with the
// reference implementation's setup (see docs/evaluation.md), and a training epoch's size.

import Foundation
import SteerData
import SteerEvaluation
@testable import SteerTasks
import XCTest

final class RealDataTaskTests: XCTestCase {
    /// The split, loaded once for the whole class (a debug-build load takes seconds).
    nonisolated(unsafe) static var cached: DatasetSplit?

    static func split() throws -> DatasetSplit {
        if let cached { return cached }
        var folders: [String] = []
        if let cache = ProcessInfo.processInfo.environment["STEER_CACHE"], !cache.isEmpty { folders.append(cache + "/data") }
        folders.append(FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/steer/data")
        guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: $0 + "/ml-1m/ml-1m.inter") }) else {
            throw XCTSkip("ML-1M not found in \(folders.joined(separator: " or ")); run Scripts/setup (STEER_CACHE=… to choose the folder)")
        }
        let split = try DatasetSplit(SequenceDataset.loadAtomic(directory: folder + "/ml-1m", name: "ml-1m").dataset, scheme: .paper)
        cached = split
        return split
    }

    /// POS counts do not depend on the seed (a user has a POS task iff some window item has a
    /// genre the first lacks) and must equal the reference POS counts exactly: 5,386 / 5,789 /
    /// 5,913 at N = 3/5/10.
    ///
    /// NEG counts depend on the genre drawn. Their expectation over the draw is exact: a user
    /// whose first item has genres G contributes p = |{g ∈ G : some window item lacks g}| / |G|
    /// (variance p(1 − p)). The reference NEG counts (3,956 / 4,374 / 4,698, drawn with another
    /// generator) must lie within 3σ of it, and so must our counts for several seeds.
    func testCountsMatchTheAnchors() throws {
        let split = try Self.split()
        let anchors: [Int: (pos: Int, neg: Int)] = [3: (5386, 3956), 5: (5789, 4374), 10: (5913, 4698)]
        let categories = split.dataset.itemCategories
        var lines: [String] = []
        for window in TaskBuilder.paperWindows {
            var (mean, variance) = (0.0, 0.0)
            for evaluationCase in split.cases(.test) {
                let items = evaluationCase.future.prefix(window)
                let genres = categories[Int(items.first!)]
                guard !genres.isEmpty else { continue }
                let p = Double(genres.count { g in items.contains { !categories[Int($0)].contains(g) } }) / Double(genres.count)
                mean += p
                variance += p * (1 - p)
            }
            let sigma = variance.squareRoot(), anchor = anchors[window]!
            XCTAssertEqual(Double(anchor.neg), mean, accuracy: 3 * sigma, "anchor NEG N=\(window)")
            lines.append("N=\(window): POS anchor \(anchor.pos); NEG expected \(String(format: "%.1f ± %.1f", mean, sigma)), anchor \(anchor.neg)")
            for seed: UInt64 in [2020, 1, 2] {
                let set = try TaskBuilder(split: split, seed: seed).tasks(window: window)
                XCTAssertEqual(set.positive.count, anchor.pos, "POS N=\(window)")
                XCTAssertEqual(Double(set.negative.count), mean, accuracy: 3 * sigma, "NEG N=\(window) seed \(seed)")
                let meanTargets = Double(set.negative.map(\.targets.count).reduce(0, +)) / Double(set.negative.count)
                lines.append("  seed \(seed): POS \(set.positive.count), NEG \(set.negative.count) (mean \(String(format: "%.2f", meanTargets)) targets)")
                for task in set.positive {
                    XCTAssertTrue(categories[Int(task.targets[0])].contains(task.genre))
                    XCTAssertFalse(categories[Int(task.windowItems[0])].contains(task.genre))
                    XCTAssertTrue(task.compliance.contains(task.targets[0]))
                }
                for task in set.negative {
                    XCTAssertTrue(categories[Int(task.windowItems[0])].contains(task.genre))
                    XCTAssertTrue(task.targets.allSatisfy { !categories[Int($0)].contains(task.genre) })
                }
            }
        }
        print(lines.joined(separator: "\n"))
    }

    func testTrainingEpochOnMovieLens() throws {
        let split = try Self.split()
        let sampler = try TrainingTaskSampler(split: split)
        let clock = ContinuousClock()
        let start = clock.now
        let tasks = sampler.tasks(epoch: 0)
        let elapsed = clock.now - start
        let positive = tasks.count { $0.polarity == .positive }
        print("training epoch 0: \(tasks.count) tasks (\(positive) POS, \(tasks.count - positive) NEG) in \(elapsed)")
        XCTAssertGreaterThan(positive, 4 * 6040 / 2)
        for task in tasks.prefix(2000) {
            XCTAssertLessThan(task.history.count + task.windowItems.count, split.train(task.user).count + 1)
        }
    }

    /// The harness end to end on real data with the model-free popularity scores (d = 1):
    /// Filter must beat Base on POS by far (it knows the genre), and the report renders.
    func testPopularityBaseAndFilter() throws {
        let split = try Self.split()
        let sets = try TaskBuilder(split: split).taskSets()
        let ranking = TaskRanking(dataset: split.dataset, evaluator: try FullRankingEvaluator())
        let counts = PopularityBaseline.trainCounts(split)
        let users = [Float](repeating: 1, count: split.dataset.userCount)
        var report = ControllableReport(
            title: "ML-1M, chronological 8:1:1, test: popularity scores",
            notes: [EvaluationReport.historyMaskedNote, "Popularity = train-part counts; averages are means over N ∈ {3, 5, 10}."])
        for method in RankingMethod.allCases {
            try ranking.evaluate(
                model: "Popularity \(method.rawValue)", method: method, taskSets: sets, queries: .perUser(users),
                items: counts, dimension: 1, into: &report)
        }
        print(report.markdown())
        let base = try XCTUnwrap(report.averaged(model: "Popularity base", task: .pos))
        let filter = try XCTUnwrap(report.averaged(model: "Popularity filter", task: .pos))
        XCTAssertGreaterThan(filter.ndcg(at: 10)!, 2 * base.ndcg(at: 10)!)
        let negBase = try XCTUnwrap(report.averaged(model: "Popularity base", task: .neg))
        let negFilter = try XCTUnwrap(report.averaged(model: "Popularity filter", task: .neg))
        XCTAssertGreaterThan(negFilter.ndcg(at: 10)!, negBase.ndcg(at: 10)!)
    }
}
