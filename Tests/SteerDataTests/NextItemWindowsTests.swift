// Training windows: every target once per epoch, left padding, seeded batches.

import SteerData
import XCTest
import SteerRandom

final class NextItemWindowsTests: XCTestCase {
    func testWindowsAlignOnTheEnd() throws {
        // Length 8 → 7 inputs; T = 3 → windows [4,7), [1,4), [0,1).
        let windows = try NextItemWindows(sequences: [ArraySlice<Int32>([10, 11, 12, 13, 14, 15, 16, 17])], maxLength: 3)
        XCTAssertEqual(windows.windows.map { [$0.start, $0.end] }, [[0, 1], [1, 4], [4, 7]])
        XCTAssertEqual(windows.targetCount, 7)
    }

    func testEveryTargetExactlyOnce() throws {
        // Item ids encode (user, position) as user·1000 + position, so a target names itself.
        var random = SeededRandom(seed: 7)
        let sequences = (0..<50).map { user in
            ArraySlice((0..<Int.random(in: 0...40, using: &random)).map { Int32(user * 1000 + $0) })
        }
        for maxLength in [1, 2, 5, 50] {
            let windows = try NextItemWindows(sequences: sequences, maxLength: maxLength)
            XCTAssertEqual(windows.targetCount, sequences.reduce(0) { $0 + max(0, $1.count - 1) })
            var seen: [Int32] = []
            var rows = 0
            for batch in try windows.batches(size: 16, seed: 1) {
                for row in 0..<batch.batchSize {
                    rows += 1
                    let length = Int(batch.lengths[row])
                    XCTAssertLessThanOrEqual(length, maxLength)
                    for t in 0..<maxLength {
                        let (input, target) = (batch.inputs[row * maxLength + t], batch.targets[row * maxLength + t])
                        if t < maxLength - length {
                            XCTAssertEqual(input, 0)
                            XCTAssertEqual(target, -1)
                        } else {
                            XCTAssertEqual(target, input + 1)  // the next item of the same user
                            XCTAssertEqual(Int(target) / 1000, Int(batch.sequences[row]))
                            seen.append(target)
                        }
                    }
                }
            }
            XCTAssertEqual(rows, windows.windows.count)
            let expected = sequences.flatMap { $0.dropFirst() }
            XCTAssertEqual(seen.sorted(), expected.sorted(), "T = \(maxLength)")  // each target once
        }
    }

    func testLeftPaddedBatch() throws {
        let windows = try NextItemWindows(sequences: [[5, 6, 7], [8], [1, 2]].map { ArraySlice<Int32>($0) }, maxLength: 4)
        XCTAssertEqual(windows.windows.count, 2)  // the one-item sequence has no target
        let batches = Array(try windows.batches(size: 8, seed: 3))
        XCTAssertEqual(batches.count, 1)
        let batch = batches[0]
        let row = try XCTUnwrap(batch.sequences.firstIndex(of: 0))
        XCTAssertEqual(batch.lengths[row], 2)
        XCTAssertEqual(Array(batch.inputs[(row * 4)..<(row * 4 + 4)]), [0, 0, 5, 6])
        XCTAssertEqual(Array(batch.targets[(row * 4)..<(row * 4 + 4)]), [-1, -1, 6, 7])
    }

    func testBatchesAreSeededAndCoverTheEpoch() throws {
        let sequences = (0..<37).map { user in ArraySlice<Int32>((0..<5).map { Int32(user * 5 + $0) }) }
        let windows = try NextItemWindows(sequences: sequences, maxLength: 10)
        let first = Array(try windows.batches(size: 8, seed: 42, epoch: 0))
        XCTAssertEqual(first.map(\.batchSize), [8, 8, 8, 8, 5])
        XCTAssertEqual(try windows.batches(size: 8, seed: 42, epoch: 0).count, 5)
        XCTAssertEqual(first, Array(try windows.batches(size: 8, seed: 42, epoch: 0)))
        XCTAssertNotEqual(first.map(\.sequences), Array(try windows.batches(size: 8, seed: 42, epoch: 1)).map(\.sequences))
        XCTAssertEqual(Set(first.flatMap(\.sequences)), Set(0..<37))
        assertDataError(.invalidArgument) { try windows.batches(size: 0, seed: 1) }
        assertDataError(.invalidArgument) { try NextItemWindows(sequences: sequences, maxLength: 0) }
    }
}

final class PaddedHistoriesTests: XCTestCase {
    func testKeepsTheMostRecentItemsLeftPadded() throws {
        let histories = try PaddedHistories([[1, 2, 3, 4, 5], [7], []].map { ArraySlice<Int32>($0) }, maxLength: 3)
        XCTAssertEqual(histories.count, 3)
        XCTAssertEqual(histories.lengths, [3, 1, 0])
        XCTAssertEqual(histories.inputs, [3, 4, 5, 0, 0, 7, 0, 0, 0])
        assertDataError(.invalidArgument) { try PaddedHistories([[Int32]](), maxLength: 0) }
    }
}
