// Dense ids, chronological sequences, categories, statistics and the k-core filter.

import SteerData
import XCTest

final class SequenceDatasetTests: XCTestCase {
    private func tiny() throws -> SequenceDataset {
        try SequenceDataset.loadAtomic(directory: TestData.fixture(""), name: "tiny").dataset
    }

    func testIdsFollowFirstAppearance() throws {
        let dataset = try tiny()
        XCTAssertEqual(dataset.userTokens, ["u1", "u2", "u3"])
        XCTAssertEqual(dataset.itemTokens, ["Toy Story (1995)", "Heat (1995)", "Misérables, Les (1995)", "Casino (1995)"])
        XCTAssertEqual(dataset.userID("u2"), 1)
        XCTAssertEqual(dataset.itemID("Casino (1995)"), 3)
        XCTAssertNil(dataset.itemID("Alien (1979)"))  // in the catalog, never rated: not an item
    }

    func testSequencesAreChronologicalAndStable() throws {
        let dataset = try tiny()
        // u1: Heat at 50, then Toy Story and Misérables both at 100 in file order.
        XCTAssertEqual(dataset.sequences[0], [1, 0, 2])
        XCTAssertEqual(dataset.timestamps[0], [50, 100, 100])
        XCTAssertEqual(dataset.sequences[1], [3, 0])  // Casino at 60 before Toy Story at 70
        XCTAssertEqual(dataset.sequences[2], [1])
    }

    func testTitlesAndCategories() throws {
        let dataset = try tiny()
        XCTAssertEqual(dataset.itemTitles, ["Toy Story", "Heat", "Misérables, Les", "Casino"])
        XCTAssertEqual(dataset.categoryNames,
                       ["Action", "Animation", "Children's", "Comedy", "Crime", "Drama", "Musical", "Thriller"])
        XCTAssertEqual(dataset.itemCategories[0], [1, 2, 3])
        XCTAssertEqual(dataset.categoryNames(ofItem: 3), ["Drama", "Thriller"])
        // Without a catalog: titles are tokens, no categories.
        let bare = SequenceDataset(log: try InteractionLog.readAtomic(path: TestData.fixture("lf.inter")))
        XCTAssertEqual(bare.itemTitles, ["1", "2"])
        XCTAssertEqual(bare.categoryCount, 0)
    }

    func testLFDatasetWithClassColumn() throws {
        let (dataset, reports) = try SequenceDataset.loadAtomic(directory: TestData.fixture(""), name: "lf")
        XCTAssertEqual(reports.map(\.file), ["lf.inter", "lf.item"])
        XCTAssertEqual(dataset.categoryNames(ofItem: 1), ["Action", "Adventure", "Thriller"])
        XCTAssertEqual(dataset.itemTitles, ["Toy Story", "GoldenEye"])
    }

    func testStatistics() throws {
        let stats = try tiny().statistics
        XCTAssertEqual(stats.users, 3)
        XCTAssertEqual(stats.items, 4)
        XCTAssertEqual(stats.interactions, 6)
        XCTAssertEqual(stats.averageLength, 2)
        XCTAssertEqual(stats.sparsity, 0.5, accuracy: 1e-12)  // 1 − 6 / 12
    }

    /// A log from compact strings: "a:x y z" is user a with items x, y, z at times 0, 1, 2.
    static func dataset(_ users: [String]) -> SequenceDataset {
        var log = InteractionLog(file: "memory")
        for line in users {
            let parts = line.split(separator: ":")
            for (time, item) in parts[1].split(separator: " ").enumerated() {
                log.append(user: String(parts[0]), item: String(item), timestamp: Double(time))
            }
        }
        return SequenceDataset(log: log)
    }

    /// RecBole's order (ML-100k): keys (t − min) / (max − min) in float32, so two interactions
    /// 1 s apart in a 10⁸ s span tie and keep their file order, while 10⁴ s apart they do not.
    func testRecBoleTimeOrderTiesCloseTimestampsInFileOrder() {
        var log = InteractionLog(file: "memory")
        for (item, time) in [("first", 0.0), ("late", 60_000_001), ("early", 60_000_000), ("later", 60_010_000), ("end", 100_000_000)] {
            log.append(user: "u", item: item, timestamp: time)
        }
        let tokens = { (d: SequenceDataset) in d.sequences[0].map { d.itemTokens[Int($0)] } }
        XCTAssertEqual(tokens(SequenceDataset(log: log)), ["first", "early", "late", "later", "end"])
        XCTAssertEqual(tokens(SequenceDataset(log: log, timeOrder: .recbole)), ["first", "late", "early", "later", "end"])
        // The stored times stay exact whatever the order.
        XCTAssertEqual(SequenceDataset(log: log, timeOrder: .recbole).timestamps[0], [0, 60_000_001, 60_000_000, 60_010_000, 100_000_000])
    }

    func testKCoreIteratesToAFixedPoint() throws {
        // k = 2. Item z occurs once → removed; then user c (z w) has 1 item → removed; then w
        // occurs once (only in c) → already removed with c; a and b keep x y.
        let dataset = Self.dataset(["a:x y", "b:x y", "c:z w", "d:w x y"])
        let core = try dataset.kCore(2)
        // w: c and d → 2 ≥ 2, stays at first; z: 1 → out; c: w only → 1 → out; then w: 1 → out.
        XCTAssertEqual(core.userTokens, ["a", "b", "d"])
        XCTAssertEqual(core.itemTokens, ["x", "y"])
        XCTAssertEqual(core.sequences, [[0, 1], [0, 1], [0, 1]])
        XCTAssertEqual(core.timestamps[2], [1, 2])  // d's x and y keep their times
        XCTAssertEqual(try dataset.kCore(1).sequences, dataset.sequences)
        assertDataError(.invalidArgument) { try dataset.kCore(0) }
        XCTAssertEqual(try dataset.kCore(4).userCount, 0)
    }
}
