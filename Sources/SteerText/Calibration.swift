// The activation ranges the int8 encoder's quantization is set from, measured on fixed text.

/// Runs the fp32 model over ``sentences`` and makes the int8 copy of every linear layer from the
/// per-channel maxima of its input (see ``QuantizedLinear``).
///
/// The text is fixed, so an encoder quantizes the same way on every load and machine. It is
/// written like prompts (requests, refusals, descriptions, several lengths) because prompts are
/// what the encoder serves; the ranges that matter (a layer norm's outlier channels) are the same
/// for any English text.
enum Calibration {
    static let sentences = [
        "I want a comedy tonight",
        "no horror please, nothing scary at all",
        "something like an old black-and-white detective film with a femme fatale",
        "a heist thriller with a clever twist at the end",
        "please keep romance off my screen",
        "an animated adventure for the whole family, but not too childish",
        "documentaries about nature and the ocean",
        "I'm tired of superhero movies; give me a slow, quiet drama instead",
        "sci-fi with spaceships, aliens and big battles",
        "a western with cowboys, saloons and a long showdown",
        "nothing violent",
        "musicals!",
        "Recommend me a war film that isn't too long and doesn't have much gore, maybe something from the nineties.",
        "crime stories based on real events, told by the detectives who solved them",
        "light-hearted fantasy with dragons and a quest",
        "anything but another romantic comedy",
    ]

    static func quantized(_ model: TransformerModel, tokenizer: WordPieceTokenizer) -> TransformerModel {
        let layers = model.weights.layers.count
        var maxima = [[LinearSlot: [Float]]](repeating: [:], count: layers)
        let sequences = sentences.map(tokenizer.encode)
        let workspace = Workspace()
        var pooled = [Float](repeating: 0, count: sequences.count * model.config.hidden)
        pooled.withUnsafeMutableBufferPointer { out in
            model.forward(sequences, workspace: workspace, out: out.baseAddress!) { layer, slot, input, rows in
                let channels = Self.inputs(of: slot, model.weights.layers[layer])
                var top = maxima[layer][slot] ?? [Float](repeating: 0, count: channels)
                for r in 0..<rows {
                    for k in 0..<channels { top[k] = max(top[k], abs(input[r * channels + k])) }
                }
                maxima[layer][slot] = top
            }
        }
        let quantizedLayers = zip(model.weights.layers, maxima).map { $0.quantized(inputMaxima: $1) }
        let weights = TransformerWeights(wordEmbeddings: model.weights.wordEmbeddings, positionEmbeddings: model.weights.positionEmbeddings,
                                         tokenTypeEmbedding: model.weights.tokenTypeEmbedding, embeddingNorm: model.weights.embeddingNorm,
                                         layers: quantizedLayers, relativeAttentionBias: model.weights.relativeAttentionBias)
        return TransformerModel(config: model.config, weights: weights, positionOffset: model.positionOffset,
                                relativeBias: model.relativeBias, kernel: .int8)
    }

    private static func inputs(of slot: LinearSlot, _ layer: TransformerLayer) -> Int {
        switch slot {
        case .qkv: layer.qkv.inFeatures
        case .attentionOutput: layer.attentionOutput.inFeatures
        case .intermediate: layer.intermediate.inFeatures
        case .output: layer.output.inFeatures
        }
    }
}
