// RecBole's GRU4Rec → Steer's GRU4Rec plugin. RecBole (gru4rec.py) computes
//   h = GRU(Dropout(item_embedding[seq]))  (nn.GRU, num_layers stacked, bias=False)
//   user vector = dense(h) at position len − 1;  scores = user · item_embeddingᵀ
// The plugin has the same layers under PyTorch's names; a GRU has no positions, so padding on
// either side gives the same last state.

enum RecBoleGRU4Rec {
    static func weights(_ file: RecBoleModelFile, mapping: TokenMapping) throws -> PluginWeights {
        try RecBoleImport.checkLoss(file)
        let embedding = try file.int("embedding_size", in: 1...4096)
        let hidden = try file.int("hidden_size", in: 1...4096)
        let layers = try file.int("num_layers", in: 1...16)
        let maxLen = try file.int("MAX_ITEM_LIST_LENGTH", in: 1...4096)
        let dropout = try file.double("dropout_prob", in: 0...0.95)
        let rows = file.itemTokens.count
        // RecBole builds nn.GRU(bias=False); a state_dict with biases came from a changed model,
        // which the plugin still computes exactly (its gru_bias option).
        let hasBias = file.tensorNames.contains("gru_layers.bias_ih_l0")

        var expected = Set<String>()
        func read(_ name: String, _ shape: [Int]) throws -> [Float] {
            expected.insert(name)
            return try file.tensor(name, shape: shape)
        }
        var tensors: [(name: String, shape: [Int], values: [Float])] = [
            ("item_embedding", [mapping.rows.count, embedding], mapping.reorder(try read("item_embedding.weight", [rows, embedding]), width: embedding)),
        ]
        for l in 0..<layers {
            let input = l == 0 ? embedding : hidden
            tensors += [
                ("gru.weight_ih_l\(l)", [3 * hidden, input], try read("gru_layers.weight_ih_l\(l)", [3 * hidden, input])),
                ("gru.weight_hh_l\(l)", [3 * hidden, hidden], try read("gru_layers.weight_hh_l\(l)", [3 * hidden, hidden])),
            ]
            if hasBias {
                tensors += [
                    ("gru.bias_ih_l\(l)", [3 * hidden], try read("gru_layers.bias_ih_l\(l)", [3 * hidden])),
                    ("gru.bias_hh_l\(l)", [3 * hidden], try read("gru_layers.bias_hh_l\(l)", [3 * hidden])),
                ]
            }
        }
        tensors += [
            ("dense.weight", [embedding, hidden], try read("dense.weight", [embedding, hidden])),
            ("dense.bias", [embedding], try read("dense.bias", [embedding])),
        ]
        try RecBoleImport.checkNoOthers(file, expected: expected)
        let config = "{\"n_items\": \(mapping.rows.count), \"max_len\": \(maxLen), \"embedding\": \(embedding), \"hidden\": \(hidden), "
            + "\"layers\": \(layers), \"dropout\": \(jsonNumber(dropout)), \"gru_bias\": \(hasBias ? 1 : 0), \"init\": \"recbole\"}"
        return PluginWeights(plugin: "GRU4Rec", config: config, tensors: tensors)
    }
}
