// Keeps XCTest's suites reachable to the end of the run, for LeakSanitizer.
import CXCTestSuiteKeeper
import XCTest

/// XCTest on Linux never frees its suites, test cases and runs: they hold each other in
/// reference cycles, and XCTMain exits without letting go. Under AddressSanitizer,
/// LeakSanitizer then reports every one of them at exit (some 460 test cases with their runs,
/// names and whatever their properties hold), which buries a real leak. Held from a global,
/// they are reachable and are not reported; the run is otherwise unchanged.
final class SuiteKeeper: NSObject, XCTestObservation {
    nonisolated(unsafe) static var suites: [XCTestSuite] = []

    func testSuiteWillStart(_ testSuite: XCTestSuite) {
        Self.suites.append(testSuite)
    }
}

/// Called once, when the test executable loads (a constructor in CXCTestSuiteKeeper), so the
/// root suite is seen too.
@_cdecl("steer_keep_xctest_suites")
public func keepXCTestSuites() {
    MainActor.assumeIsolated {
        XCTestObservationCenter.shared.addTestObserver(SuiteKeeper())
    }
}
