// RecBole's SASRec → Steer's SASRec plugin. RecBole (sasrec.py, layers.py) computes
//   x = Dropout(LayerNorm(item_embedding[seq] + position_embedding[0..<T]))
//   per layer: h = LN(x + dense(MHA(query x, key x, value x)));  x = LN(h + dense_2(gelu(dense_1 h)))
//   user vector = x at position len − 1;  scores = user · item_embeddingᵀ
// with right-padded rows, so positions count from the first item: the plugin's "from_start".

enum RecBoleSASRec {
    static func weights(_ file: RecBoleModelFile, mapping: TokenMapping) throws -> PluginWeights {
        _ = try file.string("hidden_act", allowed: ["gelu"], why: "its feed-forward layer applies the exact, erf-based GELU")
        try RecBoleImport.checkLoss(file)
        let hidden = try file.int("hidden_size", in: 1...4096)
        let heads = try file.int("n_heads", in: 1...64)
        guard hidden % heads == 0 else {
            throw InteropError.unsupportedSetting(file.name, key: "n_heads", "\(heads)", "must divide hidden_size \(hidden)")
        }
        let layers = try file.int("n_layers", in: 0...64)
        let inner = try file.int("inner_size", in: 1...65536)
        let maxLen = try file.int("MAX_ITEM_LIST_LENGTH", in: 1...4096)
        let eps = try file.double("layer_norm_eps", in: Double.leastNonzeroMagnitude...1)
        let dropout = try file.double("hidden_dropout_prob", in: 0...0.95)
        let attentionDropout = try file.double("attn_dropout_prob", in: 0...0.95)
        let initStd = try file.double("initializer_range", in: 0...10)
        let rows = file.itemTokens.count

        var expected = Set<String>()
        func read(_ name: String, _ shape: [Int]) throws -> [Float] {
            expected.insert(name)
            return try file.tensor(name, shape: shape)
        }
        var tensors: [(name: String, shape: [Int], values: [Float])] = [
            ("item_embedding", [mapping.rows.count, hidden], mapping.reorder(try read("item_embedding.weight", [rows, hidden]), width: hidden)),
            ("position_embedding", [maxLen, hidden], try read("position_embedding.weight", [maxLen, hidden])),
            ("embedding_ln.weight", [hidden], try read("LayerNorm.weight", [hidden])),
            ("embedding_ln.bias", [hidden], try read("LayerNorm.bias", [hidden])),
        ]
        for l in 0..<layers {
            let attention = "trm_encoder.layer.\(l).multi_head_attention", ffn = "trm_encoder.layer.\(l).feed_forward"
            // Steer packs q, k and v into one [3H, H] linear, in that order (SteerNN's attention).
            var qkvWeight: [Float] = [], qkvBias: [Float] = []
            for part in ["query", "key", "value"] {
                qkvWeight += try read("\(attention).\(part).weight", [hidden, hidden])
                qkvBias += try read("\(attention).\(part).bias", [hidden])
            }
            tensors += [
                ("block\(l).qkv.weight", [3 * hidden, hidden], qkvWeight), ("block\(l).qkv.bias", [3 * hidden], qkvBias),
                ("block\(l).proj.weight", [hidden, hidden], try read("\(attention).dense.weight", [hidden, hidden])),
                ("block\(l).proj.bias", [hidden], try read("\(attention).dense.bias", [hidden])),
                ("block\(l).ln1.weight", [hidden], try read("\(attention).LayerNorm.weight", [hidden])),
                ("block\(l).ln1.bias", [hidden], try read("\(attention).LayerNorm.bias", [hidden])),
                ("block\(l).ff1.weight", [inner, hidden], try read("\(ffn).dense_1.weight", [inner, hidden])),
                ("block\(l).ff1.bias", [inner], try read("\(ffn).dense_1.bias", [inner])),
                ("block\(l).ff2.weight", [hidden, inner], try read("\(ffn).dense_2.weight", [hidden, inner])),
                ("block\(l).ff2.bias", [hidden], try read("\(ffn).dense_2.bias", [hidden])),
                ("block\(l).ln2.weight", [hidden], try read("\(ffn).LayerNorm.weight", [hidden])),
                ("block\(l).ln2.bias", [hidden], try read("\(ffn).LayerNorm.bias", [hidden])),
            ]
        }
        try RecBoleImport.checkNoOthers(file, expected: expected)
        let config = "{\"n_items\": \(mapping.rows.count), \"max_len\": \(maxLen), \"hidden\": \(hidden), \"layers\": \(layers), "
            + "\"heads\": \(heads), \"inner\": \(inner), \"dropout\": \(jsonNumber(dropout)), \"attention_dropout\": \(jsonNumber(attentionDropout)), "
            + "\"layer_norm_eps\": \(jsonNumber(eps)), \"init_std\": \(jsonNumber(initStd)), \"positions\": \"from_start\"}"
        return PluginWeights(plugin: "SASRec", config: config, tensors: tensors)
    }
}
