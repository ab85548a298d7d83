// GRU4Rec: a GRU over the item history (Hidasi et al., "Session-based Recommendations with Recurrent Neural Networks", ICLR 2016), RecBole's layout.
//
//   x = dropout(E[ids]);  h = GRU_L(…GRU_1(x));  y = h · Wᵀ + b   (dense H → E)
//   user vector = y at the last real position; scores = y · Eᵀ (the item table is shared, d = E).
// A GRU carries order in its state, so no position table: the hidden at aligned position t
// depends on ids 0...t only, and encode(prefix) equals forward_train's hidden at the prefix's end.
// Cold start (empty history): the GRU state stays 0, so the user vector is dense(0) = dense.bias.
import Foundation
import SteerBackboneKit
import SteerNN

final class GRU4RecModel: TableBackbone<GRU4RecPass>, BackboneModel {
    static let name = "GRU4Rec"
    static let version = "1.0.0"

    init(configJSON: String, weights: UnsafeRawBufferPointer) throws {
        try super.init(model: Self.name, configJSON: configJSON, weights: weights, declare: Self.makeStore, initialise: Self.initialise)
    }

    /// PyTorch's names (nn.GRU's weight_ih_l0 …, nn.Linear's weight/bias), so a RecBole
    /// checkpoint maps tensor for tensor.
    static func makeStore(_ c: GRU4RecConfig) -> ParameterTable {
        let e = c.embedding, h = c.hidden
        var tensors: [(String, Int, Bool)] = [("item_embedding", c.nItems * e, false)]
        for l in 0..<c.layers {
            tensors += [("gru.weight_ih_l\(l)", 3 * h * (l == 0 ? e : h), true), ("gru.weight_hh_l\(l)", 3 * h * h, true)]
            if c.gruBias { tensors += [("gru.bias_ih_l\(l)", 3 * h, false), ("gru.bias_hh_l\(l)", 3 * h, false)] }
        }
        tensors += [("dense.weight", e * h, true), ("dense.bias", e, false)]
        return ParameterTable(tensors.map { (name: $0.0, count: $0.1, decays: $0.2) })
    }

    /// RecBole's `_init_weights` touches only nn.Embedding (xavier_normal) and nn.GRU weights
    /// (xavier_uniform); everything else keeps PyTorch's default U(±1/√fan_in).
    static func initialise(_ s: ParameterTable, _ c: GRU4RecConfig, _ rng: inout RNG) {
        let e = c.embedding, h = c.hidden
        let recbole = c.initScheme == "recbole"
        let gruBound = Float(1 / Double(h).squareRoot())
        if recbole {
            rng.fillXavierNormal(s.value("item_embedding"), fanOut: c.nItems, fanIn: e)
        } else {
            rng.fillNormal(s.value("item_embedding"), count: c.nItems * e, std: 1)
        }
        for l in 0..<c.layers {
            let inSize = l == 0 ? e : h
            if recbole {
                rng.fillXavierUniform(s.value("gru.weight_ih_l\(l)"), fanOut: 3 * h, fanIn: inSize)
                rng.fillXavierUniform(s.value("gru.weight_hh_l\(l)"), fanOut: 3 * h, fanIn: h)
            } else {
                rng.fillUniform(s.value("gru.weight_ih_l\(l)"), count: 3 * h * inSize, lo: -gruBound, hi: gruBound)
                rng.fillUniform(s.value("gru.weight_hh_l\(l)"), count: 3 * h * h, lo: -gruBound, hi: gruBound)
            }
            if c.gruBias {
                rng.fillUniform(s.value("gru.bias_ih_l\(l)"), count: 3 * h, lo: -gruBound, hi: gruBound)
                rng.fillUniform(s.value("gru.bias_hh_l\(l)"), count: 3 * h, lo: -gruBound, hi: gruBound)
            }
        }
        // nn.Linear(H, E): kaiming_uniform(a=√5) on the weight is U(±1/√H), and the bias U(±1/√H).
        rng.fillUniform(s.value("dense.weight"), count: e * h, lo: -gruBound, hi: gruBound)
        rng.fillUniform(s.value("dense.bias"), count: e, lo: -gruBound, hi: gruBound)
    }

    // MARK: Serving

    func encode(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                into out: UnsafeMutableBufferPointer<Float>) throws {
        // Only as many positions as the longest kept history: the cost grows with T.
        let rows = try servingRows(itemIDs, lengths: lengths)
        // A fresh pass per call: concurrent encodes share only the (read-only) parameters.
        let pass = GRU4RecPass(config: config, batch: rows.batch, time: rows.time, keepForBackward: false)
        var noRNG = RNG(seed: 0)
        rows.ids.withUnsafeBufferPointer { idp in
            rows.lengths.withUnsafeBufferPointer { lp in
                pass.forward(store: store, ids: idp.baseAddress!, lengths: lp.baseAddress!, dropout: false, zeroPadding: false, rng: &noRNG)
            }
        }
        // The user vector is the output at the last position.
        LeftPaddedBatch.lastPositions(pass.output, into: out.baseAddress!, batch: rows.batch, time: rows.time, channels: config.embedding)
    }
}
