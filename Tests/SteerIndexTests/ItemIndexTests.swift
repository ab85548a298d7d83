// ItemIndex construction, validation, accessors and its "item-index" snapshot round trip.
import Foundation
import SteerRandom
import SteerSnapshot
import XCTest

@testable import SteerIndex

final class ItemIndexTests: XCTestCase {
    private func code(_ body: () throws -> Void) -> ItemIndexError.Code? {
        do {
            try body()
            XCTFail("expected an ItemIndexError")
        } catch let error as ItemIndexError {
            return error.code
        } catch { XCTFail("unexpected \(error)") }
        return nil
    }

    func testAccessors() throws {
        let index = try ItemIndex(
            embeddings: [1, 2, 3, 4, 5, 6], dimension: 2, itemCategories: [[0, 65], [], [1, 1]], categoryCount: 66,
            categoryNames: (0..<66).map { "c\($0)" }, titles: ["a", "b", "c"])
        XCTAssertEqual(index.count, 3)
        XCTAssertEqual(index.wordsPerItem, 2)
        XCTAssertEqual(Array(index.embedding(of: 1)), [3, 4])
        XCTAssertEqual(index.categories(of: 0), [0, 65])
        XCTAssertEqual(index.categories(of: 1), [])
        XCTAssertEqual(index.categories(of: 2), [1])
        XCTAssertTrue(index.item(0, hasCategory: 65))
        XCTAssertFalse(index.item(1, hasCategory: 65))
        XCTAssertFalse(index.item(9, hasCategory: 0))
        XCTAssertEqual(index.categoryID(named: "c65"), 65)
        XCTAssertNil(index.categoryID(named: "nope"))
    }

    func testValidation() {
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1, 2, 3], dimension: 2, itemCategories: [[]], categoryCount: 0) }, .shapeMismatch)
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1, .infinity], dimension: 2, itemCategories: [[]], categoryCount: 0) }, .nonFinite)
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1, 2], dimension: 2, itemCategories: [[3]], categoryCount: 3) }, .unknownCategory)
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [], dimension: 0, itemCategories: [], categoryCount: 0) }, .shapeMismatch)
        XCTAssertEqual(
            code { _ = try ItemIndex(embeddings: [1], dimension: 1, itemCategories: [[]], categoryCount: 2, categoryNames: ["x"]) },
            .shapeMismatch)
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1], dimension: 1, itemCategories: [[]], categoryCount: 0, titles: []) }, .shapeMismatch)
        // Packed form: a bit at or above categoryCount is an unknown category.
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1], dimension: 1, categoryWords: [1 << 5], categoryCount: 5) }, .unknownCategory)
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1], dimension: 1, categoryWords: [], categoryCount: 5) }, .shapeMismatch)
        XCTAssertEqual(code { _ = try ItemIndex(embeddings: [1], dimension: 1, categoryWords: [], categoryCount: ItemIndex.maxCategories + 1) }, .limitExceeded)
    }

    func testSnapshotRoundTrip() throws {
        var rng = SeededRandom(seed: 9)
        let index = try RetrievalTests.makeIndex(items: 97, dim: 5, categories: 130, rng: &rng)
        let named = try ItemIndex(
            embeddings: index.embeddings, dimension: 5, categoryWords: index.categoryWords, categoryCount: 130,
            categoryNames: (0..<130).map { "genre \($0)" }, titles: (0..<97).map { "Movie \($0) (1999)" })
        for original in [index, named] {
            let back = try ItemIndex(snapshot: try Snapshot(decoding: try original.snapshot().encode()))
            XCTAssertEqual(back.embeddings, original.embeddings)
            XCTAssertEqual(back.categoryWords, original.categoryWords)
            XCTAssertEqual(back.categoryCount, original.categoryCount)
            XCTAssertEqual(back.dimension, original.dimension)
            XCTAssertEqual(back.categoryNames, original.categoryNames)
            XCTAssertEqual(back.titles, original.titles)
        }
        let dir = NSTemporaryDirectory() + "steer-index-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try named.write(to: dir + "/items.snap")
        let loaded = try ItemIndex.load(contentsOf: dir + "/items.snap")
        XCTAssertEqual(loaded.titles, named.titles)
        let q = RetrievalQuery(vector: [1, 2, 3, 4, 5], requireCategories: [3, 129])
        XCTAssertEqual(try loaded.retrieve(q, k: 10), try named.retrieve(q, k: 10))
    }

    func testSnapshotValidation() throws {
        let good = try ItemIndex(embeddings: [1, 2], dimension: 2, itemCategories: [[0]], categoryCount: 1).snapshot()
        var wrongKind = good
        wrongKind.kind = "model-weights"
        XCTAssertThrowsError(try ItemIndex(snapshot: wrongKind)) { XCTAssertEqual(($0 as? SnapshotError)?.code, .wrongKind) }
        var missing = good
        missing.sections["embeddings"] = nil
        XCTAssertThrowsError(try ItemIndex(snapshot: missing)) { XCTAssertEqual(($0 as? SnapshotError)?.code, .missingSection) }
        var badMeta = good
        badMeta.put([2, 1, 2, 1] as [UInt64], as: "meta")
        XCTAssertEqual(code { _ = try ItemIndex(snapshot: badMeta) }, .invalidSnapshot)
        var badCount = good
        badCount.put([1, 2, 2, 1] as [UInt64], as: "meta")
        XCTAssertEqual(code { _ = try ItemIndex(snapshot: badCount) }, .invalidSnapshot)
        var nan = good
        nan.put([1, .nan] as [Float], as: "embeddings")
        XCTAssertEqual(code { _ = try ItemIndex(snapshot: nan) }, .nonFinite)
        var badTitles = good
        badTitles.put(strings: ["a", "b"], as: "titles")
        XCTAssertEqual(code { _ = try ItemIndex(snapshot: badTitles) }, .shapeMismatch)
    }
}
