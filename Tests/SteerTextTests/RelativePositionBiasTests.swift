// MPNet's relative position buckets: the HF function's values at and around its edges.
import XCTest
@testable import SteerText

final class RelativePositionBiasTests: XCTestCase {
    func bucket(_ relative: Int) -> Int { RelativePositionBias.bucket(relativePosition: relative, buckets: 32, maxDistance: 128) }

    func testExactBucketsNearTheDiagonal() {
        // n = -(j - i): keys to the left (j < i) give n > 0 → buckets 0…15; keys to the right → 16…31.
        XCTAssertEqual((0...7).map { bucket(-$0) }, Array(0...7))
        XCTAssertEqual((1...7).map { bucket($0) }, Array(17...23))
        XCTAssertEqual(bucket(0), 0)
    }

    func testLogarithmicBucketsAndClamp() {
        // max_exact 8 + floor(log(n / 8) / log(16) · 8), clamped to 15.
        XCTAssertEqual(bucket(-8), 8)
        XCTAssertEqual(bucket(-15), 9)
        XCTAssertEqual(bucket(-16), 10)
        XCTAssertEqual(bucket(-32), 12)
        XCTAssertEqual(bucket(-127), 15)
        XCTAssertEqual(bucket(-128), 15)
        XCTAssertEqual(bucket(-1000), 15)
        XCTAssertEqual(bucket(1000), 31)
    }
}
