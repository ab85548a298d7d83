// GRU4Rec's hyperparameters (Hidasi et al., "Session-based Recommendations with Recurrent Neural Networks", ICLR 2016), RecBole's defaults.
import Foundation
import SteerBackboneKit

/// Hyperparameters of GRU4Rec in RecBole's form: embedding → dropout → GRU → dense → scored against the item table.
struct GRU4RecConfig: Codable, Equatable, SequentialConfig {
    /// Items V; ids are 0..<V. Required for a fresh model.
    var nItems: Int
    /// Longest history `encode` looks at. A GRU has no position table, so this only bounds the
    /// work per call; 200 matches SASRec's MovieLens-1M setting so both backbones see the same
    /// window (RecBole's MAX_ITEM_LIST_LENGTH is 50; pass 50 to match it).
    var maxLen = 200
    /// Item embedding size E, which is also d: the dense layer maps the GRU state back to E so
    /// the user vector is scored against the same item table (RecBole's embedding_size 64).
    var embedding = 64
    /// GRU hidden size H (RecBole's hidden_size 128).
    var hidden = 128
    /// Stacked GRU layers (RecBole's num_layers 1); layer l > 0 reads layer l − 1's states.
    var layers = 1
    /// Dropout on the item embeddings before the GRU (RecBole's dropout_prob 0.3); the only dropout,
    /// as RecBole's nn.GRU gets no inter-layer dropout.
    var dropout = 0.3
    /// Whether the GRU has biases b_ih, b_hh. RecBole builds nn.GRU(bias=False), so off by default.
    /// Written 0 or 1 in JSON: BackboneConfig has no boolean reader.
    var gruBias = false
    /// "recbole": xavier_normal embeddings, xavier_uniform GRU weights, PyTorch's default
    /// U(±1/√H) for the dense layer and GRU biases (RecBole re-initialises only embeddings and
    /// GRU weights). "pytorch": nn.Embedding's N(0, 1) and nn.GRU's U(±1/√H) everywhere.
    var initScheme = "recbole"
    /// Seed of initialisation and dropout masks.
    var seed = 42

    static let keys = ["n_items", "max_len", "embedding", "hidden", "layers", "dropout", "gru_bias", "init", "seed"]
    /// Keys that do not change the weights' shapes, so a checkpoint can be loaded with new values
    /// (max_len too: the GRU's weights do not depend on it, unlike SASRec's position table).
    static let changeableKeys: Set<String> = ["max_len", "dropout", "init", "seed"]
    static let initSchemes = ["recbole", "pytorch"]

    init(json: String, defaults: GRU4RecConfig? = nil) throws {
        var c = try BackboneConfig(json: json, model: "GRU4Rec")
        let base = defaults ?? GRU4RecConfig(nItems: 0)
        nItems = try c.int("n_items", default: base.nItems, in: 0...100_000_000)
        maxLen = try c.int("max_len", default: base.maxLen, in: 1...4096)
        embedding = try c.int("embedding", default: base.embedding, in: 1...4096)
        hidden = try c.int("hidden", default: base.hidden, in: 1...4096)
        layers = try c.int("layers", default: base.layers, in: 1...16)
        dropout = try c.double("dropout", default: base.dropout, in: 0...0.95)
        gruBias = try c.int("gru_bias", default: base.gruBias ? 1 : 0, in: 0...1) == 1
        initScheme = try c.choice("init", default: base.initScheme, allowed: Self.initSchemes)
        seed = try c.int("seed", default: base.seed, in: 0...Int(Int32.max))
        try c.finish()
        guard nItems > 0 else { throw BackboneError("GRU4Rec config needs \"n_items\" (the number of items) for a fresh model") }
    }

    init(nItems: Int) { self.nItems = nItems }

    var dim: Int { embedding }

    /// Every key with its value as JSON text, in `keys` order.
    var fields: [(key: String, json: String)] {
        [("n_items", "\(nItems)"), ("max_len", "\(maxLen)"), ("embedding", "\(embedding)"), ("hidden", "\(hidden)"),
         ("layers", "\(layers)"), ("dropout", "\(dropout)"), ("gru_bias", gruBias ? "1" : "0"), ("init", "\"\(initScheme)\""),
         ("seed", "\(seed)")]
    }
}
