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

    /// RecBole's layout, block by block, and its initialisation: layer norms 1, biases 0.
    func testParameterNamesAndInitialisation() throws {
        let trainable = try Plugins.trainable("SASRec", config: #"{"n_items": 10, "layers": 1}"#)
        let params = try trainable.parameters()
        let block = ["qkv.weight", "qkv.bias", "proj.weight", "proj.bias", "ln1.weight", "ln1.bias",
                     "ff1.weight", "ff1.bias", "ff2.weight", "ff2.bias", "ln2.weight", "ln2.bias"]
        XCTAssertEqual(params.map(\.name), ["item_embedding", "position_embedding", "embedding_ln.weight", "embedding_ln.bias"]
                           + block.map { "block0.\($0)" })
        XCTAssertEqual(params.map(\.count), [10 * 64, 200 * 64, 64, 64, 3 * 64 * 64, 3 * 64, 64 * 64, 64, 64, 64,
                                             256 * 64, 256, 64 * 256, 64, 64, 64])
        for p in params {
            let values = UnsafeBufferPointer(start: p.value, count: p.count)
            if p.name.hasSuffix("ln.weight") || p.name.hasSuffix("ln1.weight") || p.name.hasSuffix("ln2.weight") {
                XCTAssertTrue(values.allSatisfy { $0 == 1 }, p.name)
            } else if p.name.hasSuffix(".bias") {
                XCTAssertTrue(values.allSatisfy { $0 == 0 }, p.name)
            } else {
                XCTAssertTrue(values.contains { $0 != 0 }, "\(p.name) drawn from N(0, init_std)")
            }
        }
    }
}
