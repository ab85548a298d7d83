// The real MovieLens files, when set up: counts, the paper's split, load time.
//
// These tests need the data of Scripts/setup ($STEER_CACHE/data or ~/.cache/steer/data); when
// it is absent they are skipped with a message saying so, never passed silently.

import Foundation
import SteerData
import XCTest

final class RealDataTests: XCTestCase {
    func testMovieLens1M() throws {
        let folder = try TestData.realDataDirectory(holding: "ml-1m")
        let clock = ContinuousClock()
        let start = clock.now
        let (dataset, reports) = try SequenceDataset.loadAtomic(directory: folder + "/ml-1m", name: "ml-1m")
        let loading = clock.now - start
        let stats = dataset.statistics
        XCTAssertEqual(stats.users, 6040)
        XCTAssertEqual(stats.items, 3706)
        XCTAssertEqual(stats.interactions, 1_000_209)
        XCTAssertEqual(reports.map(\.rowsSkipped), [0, 0])
        XCTAssertEqual(reports.last?.rowsKept, 3883)  // catalog entries, rated or not
        XCTAssertEqual(dataset.categoryCount, 18)
        XCTAssertEqual(dataset.categoryNames.filter { $0.contains("-") || $0.contains("'") }, ["Children's", "Film-Noir", "Sci-Fi"])
        let toyStory = try XCTUnwrap(dataset.itemID("Toy Story (1995)"))
        XCTAssertEqual(dataset.categoryNames(ofItem: toyStory), ["Animation", "Children's", "Comedy"])
        XCTAssertEqual(dataset.userTokens.first, "1m_1")

        let split = try DatasetSplit(dataset, scheme: .paper)
        let sizes = split.sizes
        // The paper's Appendix A: 6,040 users, 3,667 items, 1,000,155 interactions after the drop.
        XCTAssertEqual(split.droppedItems, 39)
        XCTAssertEqual(split.droppedInteractions, 54)
        XCTAssertEqual(split.dataset.statistics.items, 3667)
        XCTAssertEqual(split.dataset.statistics.interactions, 1_000_155)
        XCTAssertEqual(sizes.train, 797_758)
        XCTAssertEqual(sizes.validation, 99_674)
        XCTAssertEqual(sizes.test, 102_723)
        XCTAssertEqual(split.cases(.test).count, 6040)
        XCTAssertEqual(split.cases(.validation).count, 6040)
        let windows = try NextItemWindows(sequences: split.trainSequences, maxLength: 50)
        XCTAssertEqual(windows.targetCount, 797_758 - 6040)
        print("""
            ML-1M: \(stats); loaded in \(loading)
            8:1:1 split: train \(sizes.train), validation \(sizes.validation), test \(sizes.test); \
            dropped \(split.droppedItems) items, \(split.droppedInteractions) interactions → \(split.dataset.statistics)
            T = 50 windows: \(windows.windows.count) for \(windows.targetCount) targets
            """)
    }

    func testMovieLens100k() throws {
        let folder = try TestData.realDataDirectory(holding: "ml-100k")
        let (dataset, _) = try SequenceDataset.loadAtomic(directory: folder + "/ml-100k", name: "ml-100k")
        let stats = dataset.statistics
        XCTAssertEqual(stats.users, 943)
        XCTAssertEqual(stats.items, 1682)
        XCTAssertEqual(stats.interactions, 100_000)
        XCTAssertEqual(dataset.categoryCount, 19)  // 18 genres and "unknown"
        let split = try DatasetSplit(dataset, scheme: .leaveOneOut)
        XCTAssertEqual(split.sizes.test, 943)
        XCTAssertEqual(split.sizes.validation, 943)
        print("ML-100k: \(stats); leave-one-out train \(split.sizes.train)")
    }
}
