// ABI tests of the SASRec plugin (Kang & McAuley, ICDM 2018) as SwiftPM builds it: libSteerBackboneSASRec.so.
import Foundation
import SteerNN
import XCTest

@testable import SteerPlugins

final class SASRecABITests: XCTestCase {
    // init_std 0.3 (not 0.02) so the tiny model's gradients are large enough to check in Float.
    static let tiny = #"{"n_items": 7, "max_len": 5, "hidden": 8, "layers": 2, "heads": 2, "inner": 12, "dropout": 0, "attention_dropout": 0, "init_std": 0.3, "seed": 3}"#
    static let checks = ABIChecks(spec: PluginSpec(
        name: "SASRec", defaultDim: 64, defaultMaxLen: 200, tiny: tiny,
        tinyWithDropout: #"{"n_items": 7, "max_len": 5, "hidden": 8, "layers": 2, "heads": 2, "inner": 12, "dropout": 0.3, "attention_dropout": 0.3, "init_std": 0.3, "seed": 3}"#,
        shapeChange: ("hidden", #"{"hidden": 16}"#),
        nonShapeChange: #"{"dropout": 0.1, "attention_dropout": 0.1, "seed": 5}"#,
        badValue: ("heads", #""hidden": 8, "heads": 3"#),
        // Every position of an empty history is padding, whose output is zero.
        coldStart: { _ in [Float](repeating: 0, count: 8) }))

    func testInfo() throws { try Self.checks.info() }
    func testConfigErrorsNameTheKey() { Self.checks.configErrorsNameTheKey() }
    func testZeroAndOneAreNumbers() throws {
        try Self.checks.zeroAndOneAreNumbers(#"{"n_items": 7, "layers": 1, "heads": 1, "dropout": 0, "attention_dropout": 1e-1, "seed": 1}"#)
    }
    func testEncode() throws { try Self.checks.encode() }
    func testLongHistoriesKeepTheLastMaxLenItems() throws { try Self.checks.longHistoriesKeepTheLastMaxLenItems() }
    func testEmptyHistoryIsZero() throws { try Self.checks.emptyHistory() }
    func testOutOfRangeIdsAreErrors() throws { try Self.checks.outOfRangeIdsAreErrors() }
    func testEncodeMatchesForwardTrain() throws { try Self.checks.encodeMatchesForwardTrain() }
    func testForwardTrainErrors() throws { try Self.checks.forwardTrainErrors() }
    func testDropoutFollowsTrainingMode() throws { try Self.checks.dropoutFollowsTrainingMode() }
    func testSaveRoundTrip() throws { try Self.checks.saveRoundTrip() }
    func testParametersAndGradients() throws { try Self.checks.parametersAndGradients() }
    func testConcurrentEncode() throws { try Self.checks.concurrentEncode(config: #"{"n_items": 300, "max_len": 50, "seed": 4}"#) }

    func testGradientCheck() throws {
        try Self.checks.gradientCheck(config: Self.tiny, label: "SASRec 2 blocks")
    }
}
