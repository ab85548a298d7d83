// SASRec: causal self-attention over the item history (Kang & McAuley, ICDM 2018), RecBole's layout.
//
//   x  = LN(E[ids] + P[pos]) → dropout
//   per block (post-LN, as RecBole's TransformerLayer):
//     h1 = LN(x + dropout(Wo · MHA_causal(Wqkv · x)))
//     x  = LN(h1 + dropout(W2 · GELU(W1 · h1)))
//   user vector = x at the last position; scores = x · Eᵀ (the item table is shared).
// Positions count from the end by default: the most recent item is always at position
// max_len − 1, so training windows and served histories of any length see the same position
// embeddings. A model imported from RecBole counts them from the first item, as RecBole does
// (config "positions": "from_start").
import Foundation
import SteerBackboneKit
import SteerNN

final class SASRecModel: TableBackbone<SASRecPass>, BackboneModel {
    static let name = "SASRec"
    static let version = "1.0.0"

    init(configJSON: String, weights: UnsafeRawBufferPointer) throws {
        try super.init(model: Self.name, configJSON: configJSON, weights: weights, declare: Self.makeStore, initialise: Self.initialise)
    }

    static func makeStore(_ c: SASRecConfig) -> ParameterTable {
        let d = c.hidden
        var tensors: [(String, Int, Bool)] = [
            ("item_embedding", c.nItems * d, false), ("position_embedding", c.maxLen * d, false),
            ("embedding_ln.weight", d, false), ("embedding_ln.bias", d, false),
        ]
        for l in 0..<c.layers {
            tensors += [
                ("block\(l).qkv.weight", 3 * d * d, true), ("block\(l).qkv.bias", 3 * d, false),
                ("block\(l).proj.weight", d * d, true), ("block\(l).proj.bias", d, false),
                ("block\(l).ln1.weight", d, false), ("block\(l).ln1.bias", d, false),
                ("block\(l).ff1.weight", c.inner * d, true), ("block\(l).ff1.bias", c.inner, false),
                ("block\(l).ff2.weight", d * c.inner, true), ("block\(l).ff2.bias", d, false),
                ("block\(l).ln2.weight", d, false), ("block\(l).ln2.bias", d, false),
            ]
        }
        return ParameterTable(tensors.map { (name: $0.0, count: $0.1, decays: $0.2) })
    }

    /// Normal(0, init_std) for weights and embeddings, 1 and 0 for layer norms, 0 for biases (RecBole).
    static func initialise(_ s: ParameterTable, _ c: SASRecConfig, _ rng: inout RNG) {
        let std = Float(c.initStd)
        for slot in s.slots {
            let p = s.values.ptr + slot.offset
            if slot.name.hasSuffix("ln.weight") || slot.name.hasSuffix("ln1.weight") || slot.name.hasSuffix("ln2.weight") {
                p.update(repeating: 1, count: slot.count)
            } else if slot.name.hasSuffix(".bias") {
                p.update(repeating: 0, count: slot.count)
            } else {
                rng.fillNormal(p, count: slot.count, std: std)
            }
        }
    }

    // MARK: Serving

    func encode(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                into out: UnsafeMutableBufferPointer<Float>) throws {
        // Only as many positions as the longest kept history: the cost grows with T.
        let rows = try servingRows(itemIDs, lengths: lengths)
        // A fresh pass per call: concurrent encodes share only the (read-only) parameters.
        let pass = SASRecPass(config: config, batch: rows.batch, time: rows.time, keepForBackward: false)
        // The user vector is the output at the last position: the last block runs for that row alone.
        rows.ids.withUnsafeBufferPointer { idp in
            rows.lengths.withUnsafeBufferPointer { lp in
                pass.forwardLastPositions(store: store, ids: idp.baseAddress!, lengths: lp.baseAddress!, into: out.baseAddress!)
            }
        }
    }
}
