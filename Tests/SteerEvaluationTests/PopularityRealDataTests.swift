// Popularity on ML-1M's 8:1:1 split: a harness check on real data, when it is set up.

import Foundation
import SteerData
import SteerEvaluation
import XCTest

final class PopularityRealDataTests: XCTestCase {
    func testPopularitySEQOnMovieLens1M() throws {
        var folders: [String] = []
        if let cache = ProcessInfo.processInfo.environment["STEER_CACHE"] { folders.append(cache + "/data") }
        folders.append(FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/steer/data")
        guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: $0 + "/ml-1m/ml-1m.inter") }) else {
            throw XCTSkip("ML-1M not found in \(folders.joined(separator: " or ")); run Scripts/setup")
        }
        let dataset = try SequenceDataset.loadAtomic(directory: folder + "/ml-1m", name: "ml-1m").dataset
        let split = try DatasetSplit(dataset, scheme: .paper)
        let evaluator = try FullRankingEvaluator()
        let clock = ContinuousClock()
        let start = clock.now
        let test = try PopularityBaseline.evaluateSEQ(split, part: .test, evaluator: evaluator)
        let elapsed = clock.now - start
        let validation = try PopularityBaseline.evaluateSEQ(split, part: .validation, evaluator: evaluator)
        // Reference computed independently (a Python loop over the same split and tie rule).
        XCTAssertEqual(test.users, 6040)
        XCTAssertEqual(test.ndcg(at: 10)!, 0.018469, accuracy: 1e-5)
        XCTAssertEqual(test.recall(at: 10)!, 236.0 / 6040, accuracy: 1e-9)
        var report = EvaluationReport(
            title: "ML-1M, chronological 8:1:1 (\(split.dataset.itemCount) items after dropping \(split.droppedItems))",
            notes: [EvaluationReport.historyMaskedNote, "Popularity = train-part counts, ties by item id."])
        report.append(model: "Popularity", task: "SEQ test", metrics: test)
        report.append(model: "Popularity", task: "SEQ validation", metrics: validation)
        print(report.markdown())
        print("popularity SEQ test evaluated in \(elapsed)")
    }
}
