// The ABI tests every Swift plugin runs: each plugin's test class subclasses this one with its spec.
import XCTest

/// Runs ``ABIChecks`` for the plugin a subclass names. XCTest finds this class too; without a
/// plugin its tests skip. On Linux, test discovery lists a subclass (with the tests it inherits)
/// only when the subclass declares a test of its own.
class SwiftPluginABITestCase: XCTestCase {
    /// The plugin under test.
    class var checks: ABIChecks? { nil }

    private func check(_ body: (ABIChecks) throws -> Void) throws {
        guard let checks = Self.checks else { throw XCTSkip("the shared ABI tests run in each plugin's subclass") }
        try body(checks)
    }

    func testInfo() throws { try check { try $0.info() } }
    func testConfigErrorsNameTheKey() throws { try check { $0.configErrorsNameTheKey() } }
    func testZeroAndOneAreNumbers() throws { try check { try $0.zeroAndOneAreNumbers($0.spec.zeroAndOne) } }
    func testEncode() throws { try check { try $0.encode() } }
    func testLongHistoriesKeepTheLastMaxLenItems() throws { try check { try $0.longHistoriesKeepTheLastMaxLenItems() } }
    /// What an empty history encodes to is the spec's `coldStart`.
    func testEmptyHistory() throws { try check { try $0.emptyHistory() } }
    func testOutOfRangeIdsAreErrors() throws { try check { try $0.outOfRangeIdsAreErrors() } }
    func testEncodeMatchesForwardTrain() throws { try check { try $0.encodeMatchesForwardTrain() } }
    func testForwardTrainErrors() throws { try check { try $0.forwardTrainErrors() } }
    func testDropoutFollowsTrainingMode() throws { try check { try $0.dropoutFollowsTrainingMode() } }
    func testSaveRoundTrip() throws { try check { try $0.saveRoundTrip() } }
    func testParametersAndGradients() throws { try check { try $0.parametersAndGradients() } }
    func testConcurrentEncode() throws { try check { try $0.concurrentEncode(config: $0.spec.concurrent) } }
    func testGradientCheckOfTheTinyModel() throws { try check { try $0.gradientCheck(config: $0.spec.tiny, label: "\($0.name) tiny") } }
}
