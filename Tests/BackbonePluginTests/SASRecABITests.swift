// ABI tests of the SASRec plugin (Kang & McAuley, ICDM 2018) as SwiftPM builds it: libSteerBackboneSASRec.so.
import Foundation
import SteerNN
import XCTest

@testable import SteerPlugins

final class SASRecABITests: SwiftPluginABITestCase {
    override class var checks: ABIChecks? {
        ABIChecks(spec: PluginSpec(
            name: "SASRec", defaultDim: 64, defaultMaxLen: 200,
            // init_std 0.3 (not 0.02) so the tiny model's gradients are large enough to check in Float.
            tiny: #"{"n_items": 7, "max_len": 5, "hidden": 8, "layers": 2, "heads": 2, "inner": 12, "dropout": 0, "attention_dropout": 0, "init_std": 0.3, "seed": 3}"#,
            tinyWithDropout: #"{"n_items": 7, "max_len": 5, "hidden": 8, "layers": 2, "heads": 2, "inner": 12, "dropout": 0.3, "attention_dropout": 0.3, "init_std": 0.3, "seed": 3}"#,
            shapeChange: ("hidden", #"{"hidden": 16}"#),
            nonShapeChange: #"{"dropout": 0.1, "attention_dropout": 0.1, "seed": 5}"#,
            badValue: ("heads", #""hidden": 8, "heads": 3"#),
            // Every position of an empty history is padding, whose output is zero.
            coldStart: { _ in [Float](repeating: 0, count: 8) },
            zeroAndOne: #"{"n_items": 7, "layers": 1, "heads": 1, "dropout": 0, "attention_dropout": 1e-1, "seed": 1}"#,
            concurrent: #"{"n_items": 300, "max_len": 50, "seed": 4}"#))
    }
}
