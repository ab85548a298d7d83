// The SASRec plugin's ABI checks again with RecBole's position numbering ("positions":
// "from_start", what `steer import recbole` writes): gradients, encode = forward_train, saving.
import Foundation
import SteerNN
import XCTest

@testable import SteerPlugins

final class SASRecFromStartABITests: SwiftPluginABITestCase {
    override class var checks: ABIChecks? {
        ABIChecks(spec: PluginSpec(
            name: "SASRec", defaultDim: 64, defaultMaxLen: 200,
            tiny: #"{"n_items": 7, "max_len": 5, "hidden": 8, "layers": 2, "heads": 2, "inner": 12, "dropout": 0, "attention_dropout": 0, "init_std": 0.3, "seed": 3, "positions": "from_start"}"#,
            tinyWithDropout: #"{"n_items": 7, "max_len": 5, "hidden": 8, "layers": 2, "heads": 2, "inner": 12, "dropout": 0.3, "attention_dropout": 0.3, "init_std": 0.3, "seed": 3, "positions": "from_start"}"#,
            shapeChange: ("hidden", #"{"hidden": 16}"#),
            nonShapeChange: #"{"dropout": 0.1, "attention_dropout": 0.1, "seed": 5}"#,
            badValue: ("positions", #""positions": "from_middle""#),
            coldStart: { _ in [Float](repeating: 0, count: 8) },
            zeroAndOne: #"{"n_items": 7, "layers": 1, "heads": 1, "dropout": 0, "attention_dropout": 1e-1, "seed": 1, "positions": "from_start"}"#,
            concurrent: #"{"n_items": 300, "max_len": 50, "seed": 4, "positions": "from_start"}"#))
    }

    /// The two numberings are different functions of the same weights: a history shorter than
    /// max_len reads other position rows, and only "positions" tells them apart.
    func testNumberingChangesTheFunctionAndCannotChangeOnSavedWeights() throws {
        let base = #""n_items": 7, "max_len": 5, "hidden": 8, "layers": 1, "heads": 2, "inner": 12, "dropout": 0, "attention_dropout": 0, "init_std": 0.3, "seed": 3"#
        let fromEnd = try Plugins.load("SASRec", config: "{\(base)}")
        let fromStart = try Plugins.load("SASRec", config: "{\(base), \"positions\": \"from_start\"}")
        let short: [[UInt32]] = [[1, 4]], full: [[UInt32]] = [[1, 4, 2, 6, 0]]
        XCTAssertNotEqual(try fromEnd.encode(histories: short), try fromStart.encode(histories: short))
        // At exactly max_len both read rows 0..<max_len in order.
        let a = try fromEnd.encode(histories: full), b = try fromStart.encode(histories: full)
        XCTAssertEqual(a.count, b.count)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        let saved = try TrainableBackbone(fromStart).save()
        XCTAssertThrowsError(try Plugins.load("SASRec", config: #"{"positions": "from_end"}"#, weights: saved)) { error in
            XCTAssertTrue("\(error)".contains("\"positions\""), "\(error)")
        }
    }
}
