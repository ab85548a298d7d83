// SASRec's hyperparameters, each with its default and why.
import Foundation
import SteerBackboneKit

/// Hyperparameters of SASRec (Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018).
struct SASRecConfig: Codable, Equatable, SequentialConfig {
    /// Items V; ids are 0..<V. Required for a fresh model.
    var nItems: Int
    /// Longest history looked at (positions); the paper's setting for MovieLens-1M is 200.
    var maxLen = 200
    /// Hidden size d (item embedding size too: the output is scored against the item table).
    var hidden = 64
    /// Self-attention blocks.
    var layers = 2
    /// Attention heads; must divide `hidden`.
    var heads = 2
    /// Feed-forward inner size (RecBole's default 256, 4 × 64).
    var inner = 256
    /// Dropout on embeddings and on each sub-layer's output.
    var dropout = 0.2
    /// Dropout on attention probabilities.
    var attentionDropout = 0.2
    /// Layer-norm epsilon (RecBole's 1e-12).
    var layerNormEps = 1e-12
    /// Standard deviation of the normal initialisation (RecBole's initializer_range 0.02).
    var initStd = 0.02
    /// Seed of initialisation and dropout masks.
    var seed = 42
    /// Which position-table row an item gets. "from_end" (Steer's default): the most recent item
    /// is always row max_len − 1, so a history reads the same rows whatever its length.
    /// "from_start": the first item is row 0, as RecBole's SASRec numbers its right-padded rows;
    /// a model imported from RecBole needs it to compute RecBole's function.
    var positions = "from_end"

    static let keys = ["n_items", "max_len", "hidden", "layers", "heads", "inner", "dropout", "attention_dropout",
                       "layer_norm_eps", "init_std", "seed", "positions"]
    /// Keys that do not change the weights' shapes, so a checkpoint can be loaded with new values
    /// (not positions: the same table read from the other end is another model).
    static let changeableKeys: Set<String> = ["dropout", "attention_dropout", "seed"]
    static let positionOrigins = ["from_end", "from_start"]

    init(json: String, defaults: SASRecConfig? = nil) throws {
        var c = try BackboneConfig(json: json, model: "SASRec")
        let base = defaults ?? SASRecConfig(nItems: 0)
        nItems = try c.int("n_items", default: base.nItems, in: 0...100_000_000)
        maxLen = try c.int("max_len", default: base.maxLen, in: 1...4096)
        hidden = try c.int("hidden", default: base.hidden, in: 1...4096)
        layers = try c.int("layers", default: base.layers, in: 0...64)
        heads = try c.int("heads", default: base.heads, in: 1...64)
        inner = try c.int("inner", default: base.inner, in: 1...65536)
        dropout = try c.double("dropout", default: base.dropout, in: 0...0.95)
        attentionDropout = try c.double("attention_dropout", default: base.attentionDropout, in: 0...0.95)
        layerNormEps = try c.double("layer_norm_eps", default: base.layerNormEps, in: 0...1)
        initStd = try c.double("init_std", default: base.initStd, in: 0...10)
        seed = try c.int("seed", default: base.seed, in: 0...Int(Int32.max))
        positions = try c.choice("positions", default: base.positions, allowed: Self.positionOrigins)
        try c.finish()
        guard nItems > 0 else { throw BackboneError("SASRec config needs \"n_items\" (the number of items) for a fresh model") }
        guard hidden % heads == 0 else { throw BackboneError("SASRec config: hidden (\(hidden)) must be a multiple of heads (\(heads))") }
    }

    init(nItems: Int) { self.nItems = nItems }

    var dim: Int { hidden }

    /// Every key with its value as JSON text, in `keys` order.
    var fields: [(key: String, json: String)] {
        [("n_items", "\(nItems)"), ("max_len", "\(maxLen)"), ("hidden", "\(hidden)"), ("layers", "\(layers)"),
         ("heads", "\(heads)"), ("inner", "\(inner)"), ("dropout", "\(dropout)"),
         ("attention_dropout", "\(attentionDropout)"), ("layer_norm_eps", "\(layerNormEps)"),
         ("init_std", "\(initStd)"), ("seed", "\(seed)"), ("positions", "\"\(positions)\"")]
    }
}
