// How a batch is cut into per-core parts: contiguous, balanced by tokens, nothing lost.
import XCTest
@testable import SteerText

final class EncoderRuntimeTests: XCTestCase {
    func testSplitIsContiguousAndCoversEverything() {
        let sequences: [[Int32]] = (0..<10).map { [Int32](repeating: 1, count: $0 % 3 + 2) }
        for parts in 1...4 {
            let bounds = EncoderRuntime.split(sequences, parts: parts)
            XCTAssertEqual(bounds.count, parts + 1)
            XCTAssertEqual(bounds.first, 0)
            XCTAssertEqual(bounds.last, sequences.count)
            XCTAssertEqual(bounds, bounds.sorted())
        }
        XCTAssertEqual(EncoderRuntime.split([[1, 1], [1, 1], [1, 1], [1, 1]], parts: 2), [0, 2, 4])
        XCTAssertEqual(EncoderRuntime.split([[1, 1, 1, 1, 1, 1], [1], [1], [1]], parts: 2), [0, 1, 4])
    }
}
