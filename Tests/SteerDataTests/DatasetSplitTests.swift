// The chronological 8:1:1 split (rounding, dropped items, cases) and leave-one-out.

import SteerData
import XCTest

final class DatasetSplitTests: XCTestCase {
    private func sequence(_ user: String, _ length: Int, prefix: String = "i") -> String {
        user + ":" + (0..<length).map { "\(prefix)\($0)" }.joined(separator: " ")
    }

    func testRatioRoundingIsCumulativeFloor() throws {
        // train = ⌊0.8 L⌋, validation end = ⌊0.9 L⌋, test = the rest.
        let expected: [Int: (Int, Int, Int)] = [
            1: (0, 0, 1), 5: (4, 0, 1), 9: (7, 1, 1), 10: (8, 1, 1), 19: (15, 2, 2), 20: (16, 2, 2), 25: (20, 2, 3), 29: (23, 3, 3),
        ]
        for (length, parts) in expected {
            // v's train part (i0…i31) holds all of u's items, so none of u's drops (v's i32…i39 do).
            let dataset = SequenceDatasetTests.dataset([sequence("u", length), sequence("v", 40)])
            let split = try DatasetSplit(dataset, scheme: .paper)
            XCTAssertEqual(split.droppedItems, 8)
            let got = (split.train(0).count, split.validation(0).count, split.test(0).count)
            XCTAssertTrue(got == parts, "L = \(length): got \(got), expected \(parts)")
        }
    }

    func testItemsUnseenInTrainingAreDropped() throws {
        // u: a0…a9 → train a0…a7, val a8, test a9. v: a0 a1 b0 … → b-items only in v's test.
        let dataset = SequenceDatasetTests.dataset(["u:a0 a1 a2 a3 a4 a5 a6 a7 a8 a9", "v:a0 a1 a2 a3 a4 a5 a6 a7 b0 b1"])
        let split = try DatasetSplit(dataset)
        // a8 and a9 occur only in val/test parts too (u's and v's train parts end at a7).
        XCTAssertEqual(split.droppedItems, 4)  // a8, a9, b0, b1
        XCTAssertEqual(split.droppedInteractions, 4)
        XCTAssertEqual(split.dataset.itemCount, 8)
        XCTAssertEqual(split.dataset.itemTokens, (0..<8).map { "a\($0)" })
        XCTAssertEqual(split.validation(0).count, 0)
        XCTAssertEqual(split.test(0).count, 0)
        XCTAssertTrue(split.cases(.test).isEmpty)
        let sizes = split.sizes
        XCTAssertTrue(sizes == (16, 0, 0))
    }

    func testDroppingKeepsPartBoundaries() throws {
        // u: train a0…a7, val x (unseen), test y (in v's train).
        // v: train y a0…a6, val a7, test a8 (unseen).
        let dataset = SequenceDatasetTests.dataset([
            "u:a0 a1 a2 a3 a4 a5 a6 a7 x y", "v:y a0 a1 a2 a3 a4 a5 a6 a7 a8",
        ])
        let split = try DatasetSplit(dataset)
        XCTAssertEqual(split.droppedItems, 2)  // x and a8
        XCTAssertEqual(split.droppedInteractions, 2)
        let u = try XCTUnwrap(split.dataset.userID("u"))
        XCTAssertEqual(split.validation(u).count, 0)
        XCTAssertEqual(split.test(u).map { split.dataset.itemTokens[Int($0)] }, ["y"])
        let v = try XCTUnwrap(split.dataset.userID("v"))
        XCTAssertEqual(split.validation(v).count, 1)
        XCTAssertEqual(split.test(v).count, 0)
        let cases = split.cases(.test)  // v has no test item left
        XCTAssertEqual(cases.map(\.user), [u])
        XCTAssertEqual(cases[0].history.count, 8)
        XCTAssertEqual(split.dataset.itemTokens[Int(cases[0].target)], "y")
    }

    func testCasesForValidationAndTest() throws {
        // v holds u's items in reverse order, so every item is in some train part.
        let reversed = "v:" + (0..<20).reversed().map { "i\($0)" }.joined(separator: " ")
        let dataset = SequenceDatasetTests.dataset([sequence("u", 20), reversed])
        let split = try DatasetSplit(dataset)
        XCTAssertEqual(split.droppedItems, 0)
        let test = split.cases(.test)
        XCTAssertEqual(test.map(\.user), [0, 1])
        XCTAssertEqual(test[0].history.count, 18)  // train 16 + val 2
        XCTAssertEqual(test[0].future.count, 2)
        XCTAssertEqual(test[0].target, dataset.sequences[0][18])
        let validation = split.cases(.validation)
        XCTAssertEqual(validation[0].history.count, 16)
        XCTAssertEqual(validation[0].target, dataset.sequences[0][16])
        XCTAssertEqual(split.trainSequences.map(\.count), [16, 16])
    }

    func testLeaveOneOut() throws {
        let dataset = SequenceDatasetTests.dataset(["a:x y z w", "b:x y", "c:x"])
        let split = try DatasetSplit(dataset, scheme: .leaveOneOut)
        XCTAssertEqual(split.droppedItems, 0)  // RecBole does not drop
        XCTAssertEqual(Array(split.train(0)), [0, 1])
        XCTAssertEqual(Array(split.validation(0)), [2])
        XCTAssertEqual(Array(split.test(0)), [3])
        XCTAssertEqual(split.train(1).count, 1)  // two items: train + test, no validation
        XCTAssertEqual(split.validation(1).count, 0)
        XCTAssertEqual(split.test(1).count, 1)
        XCTAssertEqual(split.train(2).count, 1)  // one item: train only
        XCTAssertEqual(split.cases(.test).map(\.user), [0, 1])
        XCTAssertEqual(split.cases(.validation).map(\.user), [0])
    }

    func testInvalidRatios() {
        let dataset = SequenceDatasetTests.dataset(["a:x y"])
        assertDataError(.invalidArgument) { try DatasetSplit(dataset, scheme: .ratio(train: 0, validation: 1, test: 1)) }
        assertDataError(.invalidArgument) { try DatasetSplit(dataset, scheme: .ratio(train: 8, validation: -1, test: 1)) }
    }
}
