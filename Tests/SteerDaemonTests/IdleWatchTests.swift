// IdleWatch: when a connection counts as idle, check by check.
import NIOCore
import XCTest

@testable import SteerDaemon
@testable import SteerTransport

final class IdleWatchTests: XCTestCase {
    func testChecksAQuarterOfTheTimeoutApart() {
        XCTAssertEqual(IdleWatch(timeout: .seconds(300)).interval, .seconds(75))
        XCTAssertEqual(IdleWatch(timeout: .milliseconds(300)).interval, .milliseconds(75))
        XCTAssertEqual(IdleWatch(timeout: .nanoseconds(1)).interval, .nanoseconds(1), "never a zero interval")
    }

    func testFourQuietChecksInARowMeanIdle() {
        var watch = IdleWatch(timeout: .seconds(4))
        XCTAssertEqual((0..<4).map { _ in watch.check(busy: false) }, [false, false, false, true],
                       "a connection that never sends is idle after exactly the timeout")
    }

    func testAFrameOrWorkInFlightStartsTheCountAgain() {
        var watch = IdleWatch(timeout: .seconds(4))
        XCTAssertFalse(watch.check(busy: false))
        XCTAssertFalse(watch.check(busy: false))
        watch.heard()
        // The check after the frame only clears it; four quiet checks follow before idle.
        XCTAssertEqual((0..<5).map { _ in watch.check(busy: false) }, [false, false, false, false, true])
        var waiting = IdleWatch(timeout: .seconds(4))
        XCTAssertEqual((0..<8).map { _ in waiting.check(busy: true) }, Array(repeating: false, count: 8),
                       "a client waiting for a long answer is not idle")
        XCTAssertEqual((0..<4).map { _ in waiting.check(busy: false) }, [false, false, false, true])
    }
}
