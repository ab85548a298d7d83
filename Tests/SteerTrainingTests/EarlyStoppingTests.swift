import XCTest
@testable import SteerTraining

// `best` is a score handed in, stored as it is (no arithmetic): comparing it exactly is the contract.
final class EarlyStoppingTests: XCTestCase {
    /// Keeps each better score, counts only validations without one, stops after `patience` of them.
    func testKeepsBestAndStopsAfterPatience() {
        var stopping = EarlyStopping(patience: 2)
        XCTAssertTrue(stopping.improves(0.10), "the first validated epoch is kept")
        XCTAssertFalse(stopping.improves(0.10), "a tie is no improvement")
        XCTAssertFalse(stopping.shouldStop)
        XCTAssertTrue(stopping.improves(0.12), "a better score resets the count")
        XCTAssertFalse(stopping.improves(0.11))
        XCTAssertFalse(stopping.shouldStop)
        XCTAssertFalse(stopping.improves(0.05))
        XCTAssertTrue(stopping.shouldStop)
        XCTAssertEqual(stopping.best, 0.12)
    }

    /// An ineligible epoch is never kept, whatever its score, and counts against patience.
    func testIneligibleEpochIsNotKept() {
        var stopping = EarlyStopping(patience: 1)
        XCTAssertFalse(stopping.improves(0.9, eligible: false))
        XCTAssertTrue(stopping.shouldStop)
        XCTAssertEqual(stopping.best, -.infinity)
    }

    /// A starting score must be beaten; raising it counts no validation.
    func testRequiredStartingScore() {
        var stopping = EarlyStopping(patience: 3)
        stopping.require(atLeast: 0.5)
        stopping.require(atLeast: 0.4)
        XCTAssertEqual(stopping.best, 0.5, "require never lowers the score to beat")
        XCTAssertFalse(stopping.improves(0.45))
        XCTAssertTrue(stopping.improves(0.55))
    }
}
