// ABI tests of the GRU4Rec plugin (Hidasi et al., ICLR 2016) as SwiftPM builds it: libSteerBackboneGRU4Rec.so.
import Foundation
import SteerNN
import XCTest

@testable import SteerPlugins

final class GRU4RecABITests: SwiftPluginABITestCase {
    static let tiny = #"{"n_items": 7, "max_len": 5, "embedding": 8, "hidden": 6, "layers": 1, "dropout": 0, "seed": 3}"#
    override class var checks: ABIChecks? {
        ABIChecks(spec: PluginSpec(
            name: "GRU4Rec", defaultDim: 64, defaultMaxLen: 200, tiny: tiny,
            tinyWithDropout: #"{"n_items": 7, "max_len": 5, "embedding": 8, "hidden": 6, "dropout": 0.5, "seed": 3}"#,
            shapeChange: ("hidden", #"{"hidden": 12}"#),
            nonShapeChange: #"{"dropout": 0.1, "max_len": 9, "seed": 5}"#,
            badValue: ("init", #""init": "kaiming""#),
            // The GRU state of an empty history is 0, so its vector is dense(0) = dense.bias.
            coldStart: { try Array(UnsafeBufferPointer(start: $0.parameter("dense.bias").value, count: 8)) },
            zeroAndOne: #"{"n_items": 7, "layers": 1, "gru_bias": 1, "dropout": 0, "seed": 0}"#,
            concurrent: #"{"n_items": 300, "seed": 4}"#))
    }

    func testGradientCheckTwoLayersWithBiases() throws {
        let config = #"{"n_items": 7, "max_len": 5, "embedding": 8, "hidden": 6, "layers": 2, "gru_bias": 1, "dropout": 0, "seed": 4}"#
        try Self.checks!.gradientCheck(config: config, label: "GRU4Rec 2 layers + biases")
    }

    /// Without positions, the hidden at every aligned position is the encode of that prefix.
    func testEveryPositionIsThePrefixEncode() throws {
        let trainable = try Plugins.trainable("GRU4Rec", config: Self.tiny)
        var rng = RNG(seed: 41)
        let batch = TrainingBatch(lengths: [5, 3], time: 5, nItems: 7, rng: &rng)
        let hidden = try trainable.forward(batch)
        for b in 0..<2 {
            for t in 0..<Int(batch.lengths[b]) {
                let prefix = Array(batch.history(b)[...t])
                assertClose(try trainable.backbone.encode(histories: [prefix]), Array(hidden[((b * 5 + t) * 8)..<((b * 5 + t + 1) * 8)]),
                            "row \(b) position \(t)")
            }
        }
    }

    func testParameterNamesAndDefaults() throws {
        let trainable = try Plugins.trainable("GRU4Rec", config: #"{"n_items": 10, "layers": 2}"#)
        let params = try trainable.parameters()
        XCTAssertEqual(params.map(\.name), ["item_embedding", "gru.weight_ih_l0", "gru.weight_hh_l0",
                                            "gru.weight_ih_l1", "gru.weight_hh_l1", "dense.weight", "dense.bias"])
        XCTAssertEqual(params.map(\.count), [10 * 64, 384 * 64, 384 * 128, 384 * 128, 384 * 128, 64 * 128, 64])
        // RecBole's init: xavier_normal item table (std √(2/(V+E))), xavier_uniform GRU weights.
        let item = try trainable.parameter("item_embedding")
        let values = Array(UnsafeBufferPointer(start: item.value, count: item.count))
        let std = (values.map { Double($0 * $0) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 74).squareRoot(), accuracy: 0.03)
        let wih = try trainable.parameter("gru.weight_ih_l0")
        let bound = Float((6.0 / Double(64 + 384)).squareRoot())
        XCTAssertTrue(UnsafeBufferPointer(start: wih.value, count: wih.count).allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(UnsafeBufferPointer(start: wih.value, count: wih.count).map { abs($0) }.max()!, 0.9 * bound)
        let withBias = try Plugins.trainable("GRU4Rec", config: #"{"n_items": 10, "gru_bias": 1}"#)
        XCTAssertEqual(try withBias.parameters().map(\.name), ["item_embedding", "gru.weight_ih_l0", "gru.weight_hh_l0",
                                                              "gru.bias_ih_l0", "gru.bias_hh_l0", "dense.weight", "dense.bias"])
    }
}
