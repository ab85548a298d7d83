// The shared forward pass of the BERT-family sentence encoders: embeddings, post-LN
// transformer layers, mean pooling and L2 normalisation over packed, unpadded sequences.
internal import SteerNN

/// A loaded encoder network; MiniLM and MPNet differ only in their weights, the position-id
/// offset, token-type embeddings and MPNet's relative attention bias.
///
/// Sequences are packed back to back into N = Σ Tᵦ rows instead of padded to the longest:
/// every op except attention is row-wise, and attention runs per sequence over exactly its own
/// rows, so no mask is needed and no work is spent on padding.
struct TransformerModel: Sendable {
    let config: TransformerConfig
    let weights: TransformerWeights
    /// Position id of the first token: 0 for BERT, padding_idx + 1 for MPNet (RoBERTa style).
    let positionOffset: Int
    let relativeBias: RelativePositionBias?
    /// The kernels every op runs on (see ``EncoderKernel``).
    let kernel: EncoderKernel

    /// Writes the unit-length mean-pooled embedding of each sequence into out[B, C], splitting
    /// each linear layer over `threads` cores; when `tokenStates` is given, also the last layer's
    /// token states (before pooling) packed back to back into it, Σ Tᵦ rows of C.
    /// - Precondition: every sequence is non-empty, its ids are < vocab size and its length
    ///   fits the position table (the tokenizer guarantees all three).
    /// - Parameter observe: called with each linear layer's input (layer index, slot, rows) before
    ///   it runs; the int8 path's calibration reads the activations' ranges through it.
    func forward(_ sequences: [[Int32]], workspace ws: Workspace, out: UnsafeMutablePointer<Float>,
                 tokenStates: UnsafeMutablePointer<Float>? = nil, threads: Int = 1,
                 observe: ((Int, LinearSlot, UnsafePointer<Float>, Int) -> Void)? = nil) {
        let c = config.hidden
        let rows = sequences.reduce(0) { $0 + $1.count }
        let longest = sequences.map(\.count).max() ?? 0
        ws.reserve(rows: rows, longest: longest, config)
        let x = ws.x.ptr, qkv = ws.qkv.ptr, ctx = ws.context.ptr
        let projected = ws.projected.ptr, hidden = ws.hidden.ptr

        // x[N, C] = LayerNorm(word[id] + position[t + offset] + tokenType[0])
        var row = 0
        for ids in sequences {
            for (t, id) in ids.enumerated() {
                let dst = x + (row + t) * c
                let word = weights.wordEmbeddings.ptr + Int(id) * c
                let position = weights.positionEmbeddings.ptr + (t + positionOffset) * c
                for i in 0..<c { dst[i] = word[i] + position[i] }
                if let tokenType = weights.tokenTypeEmbedding?.ptr {
                    for i in 0..<c { dst[i] += tokenType[i] }
                }
            }
            row += ids.count
        }
        Kernels.residualLayerNorm(x, nil, rows: rows, channels: c, weights.embeddingNorm, eps: config.layerNormEps, kernel: kernel)

        for (n, layer) in weights.layers.enumerated() {
            observe?(n, .qkv, x, rows)
            Kernels.linear(qkv, x, rows: rows, layer.qkv, threads: threads, kernel: kernel, scratch: ws.int8)
            var start = 0
            for ids in sequences {
                Kernels.attention(ctx: ctx + start * c, qkv: qkv + start * 3 * c, length: ids.count, channels: c,
                                  heads: config.heads, scores: ws.scores.ptr, bias: relativeBias, kernel: kernel)
                start += ids.count
            }
            observe?(n, .attentionOutput, ctx, rows)
            Kernels.linear(projected, ctx, rows: rows, layer.attentionOutput, threads: threads, kernel: kernel, scratch: ws.int8)
            Kernels.residualLayerNorm(x, projected, rows: rows, channels: c, layer.attentionNorm, eps: config.layerNormEps, kernel: kernel)
            observe?(n, .intermediate, x, rows)
            Kernels.linear(hidden, x, rows: rows, layer.intermediate, threads: threads, gelu: true, kernel: kernel, scratch: ws.int8)
            observe?(n, .output, hidden, rows)
            Kernels.linear(projected, hidden, rows: rows, layer.output, threads: threads, kernel: kernel, scratch: ws.int8)
            Kernels.residualLayerNorm(x, projected, rows: rows, channels: c, layer.outputNorm, eps: config.layerNormEps, kernel: kernel)
        }

        tokenStates?.update(from: x, count: rows * c)
        // out[b] = normalize(mean over the sequence's rows); F.normalize's eps guards all-zero.
        var start = 0
        for (b, ids) in sequences.enumerated() {
            let dst = out + b * c
            dst.update(repeating: 0, count: c)
            for t in start..<(start + ids.count) {
                let src = x + t * c
                for i in 0..<c { dst[i] += src[i] }
            }
            let inv = 1 / Float(ids.count)
            var norm: Float = 0
            for i in 0..<c {
                dst[i] *= inv
                norm += dst[i] * dst[i]
            }
            let scale = 1 / max(norm.squareRoot(), 1e-12)
            for i in 0..<c { dst[i] *= scale }
            start += ids.count
        }
    }
}
