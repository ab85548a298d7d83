// Training windows: every target once per epoch, left-aligned rows trimmed to the batch, seeded batches.

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
            for batch in try windows.batches(size: 16, seed: 1, similarLengths: maxLength == 5) {
                XCTAssertEqual(batch.time, max(1, Int(batch.lengths.max() ?? 1)), "T is the batch's longest row")
                XCTAssertLessThanOrEqual(batch.time, maxLength)
                for row in 0..<batch.batchSize {
                    rows += 1
                    let length = Int(batch.lengths[row])
                    for t in 0..<batch.time {
                        let (input, target) = (batch.inputs[row * batch.time + t], batch.targets[row * batch.time + t])
                        if t >= length {
                            XCTAssertEqual(input, 0)
                            XCTAssertEqual(target, -1)
                        } else {
                            XCTAssertEqual(target, Int32(input) + 1)  // the next item of the same user
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

    func testLeftAlignedBatchTrimmedToItsLongestRow() throws {
        let windows = try NextItemWindows(sequences: [[5, 6, 7], [8], [1, 2]].map { ArraySlice<Int32>($0) }, maxLength: 4)
        XCTAssertEqual(windows.windows.count, 2)  // the one-item sequence has no target
        let batches = Array(try windows.batches(size: 8, seed: 3))
        XCTAssertEqual(batches.count, 1)
        let batch = batches[0]
        XCTAssertEqual(batch.time, 2, "the longest row, not the window length 4")
        let row = try XCTUnwrap(batch.sequences.firstIndex(of: 0)), other = 1 - row
        XCTAssertEqual(batch.lengths[row], 2)
        XCTAssertEqual(Array(batch.inputs[(row * 2)..<(row * 2 + 2)]), [5, 6])
        XCTAssertEqual(Array(batch.targets[(row * 2)..<(row * 2 + 2)]), [6, 7])
        XCTAssertEqual(batch.lengths[other], 1)
        XCTAssertEqual(Array(batch.inputs[(other * 2)..<(other * 2 + 2)]), [1, 0])
        XCTAssertEqual(Array(batch.targets[(other * 2)..<(other * 2 + 2)]), [2, -1])
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
