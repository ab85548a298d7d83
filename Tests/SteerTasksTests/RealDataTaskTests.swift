// Task counts on ML-1M's 8:1:1 split against the anchors, and a training epoch's size.

import Foundation
import SteerData
import SteerEvaluation
@testable import SteerTasks
import XCTest

final class RealDataTaskTests: XCTestCase {
    static func split() throws -> DatasetSplit {
        var folders: [String] = []
        if let cache = ProcessInfo.processInfo.environment["STEER_CACHE"], !cache.isEmpty { folders.append(cache + "/data") }
        folders.append(FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/steer/data")
        guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: $0 + "/ml-1m/ml-1m.inter") }) else {
            throw XCTSkip("ML-1M not found in \(folders.joined(separator: " or ")); run Scripts/setup (STEER_CACHE=… to choose the folder)")
        }
        return try DatasetSplit(SequenceDataset.loadAtomic(directory: folder + "/ml-1m", name: "ml-1m").dataset, scheme: .paper)
    }

    /// POS counts do not depend on the seed (a user has a POS task iff some window item has a
    /// genre the first lacks) and must equal the anchors exactly: 5,386 / 5,789 / 5,913.
    /// NEG counts depend on the genre drawn; the anchors' 3,956 / 4,374 / 4,698 came from
    /// another generator, so they must match within sampling noise (±2 %).
    func testCountsMatchTheAnchors() throws {
        let split = try Self.split()
        let anchors: [Int: (pos: Int, neg: Int)] = [3: (5386, 3956), 5: (5789, 4374), 10: (5913, 4698)]
        let categories = split.dataset.itemCategories
        var lines: [String] = []
        for seed: UInt64 in [2020, 1, 2] {
            for set in try TaskBuilder(split: split, seed: seed).taskSets() {
                let anchor = anchors[set.window]!
                XCTAssertEqual(set.positive.count, anchor.pos, "POS N=\(set.window)")
                XCTAssertEqual(Double(set.negative.count), Double(anchor.neg), accuracy: 0.02 * Double(anchor.neg), "NEG N=\(set.window)")
                lines.append("seed \(seed) N=\(set.window): POS \(set.positive.count) (anchor \(anchor.pos)), NEG \(set.negative.count) (anchor \(anchor.neg)), mean NEG targets \(String(format: "%.2f", Double(set.negative.map(\.targets.count).reduce(0, +)) / Double(set.negative.count)))")
                for task in set.positive {
                    XCTAssertTrue(categories[Int(task.targets[0])].contains(task.genre))
                    XCTAssertFalse(categories[Int(task.windowItems[0])].contains(task.genre))
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
}
