// One forward (and backward) pass of GRU4Rec (Hidasi et al., ICLR 2016) over a left-padded batch, with its activations.
import SteerBackboneKit
import SteerNN

/// Activations of one GRU4Rec pass over B × T positions (N = B·T rows), kept for backward.
///
///   e  = E[ids]            [N, E]  (padded rows zero)
///   x  = dropout(e)        [N, E]
///   h¹ = GRU₁(x), hˡ = GRUₗ(hˡ⁻¹)   [N, H] each (zero at padded steps)
///   y  = hᴸ · Wᵀ + b       [N, E]  (padded rows zeroed, as the ABI wants)
final class GRU4RecPass: BackbonePass {
    let c: GRU4RecConfig
    let b: Int, t: Int, n: Int
    private let arena = ScratchArena()
    let ids, lengths: UnsafeMutablePointer<Int32>
    let emb, embMask, x: UnsafeMutablePointer<Float>
    /// Per layer: all hidden states [N, H] and the gates the GRU kernel saves [N, 4H].
    private(set) var hs: [UnsafeMutablePointer<Float>] = []
    private(set) var gates: [UnsafeMutablePointer<Float>] = []
    private let gruScratch: UnsafeMutablePointer<Float>
    /// [N, E]: the dense layer's output, the hidden state per position.
    let output: UnsafeMutablePointer<Float>
    private var usedDropout = false

    init(config: GRU4RecConfig, batch: Int, time: Int, keepForBackward: Bool) {
        c = config; b = batch; t = time; n = batch * time
        let e = c.embedding, h = c.hidden
        // Encode needs no mask and no separate dropout output: x aliases emb when nothing is dropped.
        var sizes = [n, b, n * e, keepForBackward ? n * e : 0, keepForBackward ? n * e : 0,
                     gruForwardScratchCount(batch: b, hiddenSize: h), n * e]
        for _ in 0..<c.layers { sizes += [n * h, n * 4 * h] }
        arena.reset(total: ScratchArena.size(sizes))
        ids = arena.takeInt32(n)
        lengths = arena.takeInt32(b)
        emb = arena.take(n * e)
        embMask = arena.take(keepForBackward ? n * e : 0)
        x = keepForBackward ? arena.take(n * e) : emb
        gruScratch = arena.take(gruForwardScratchCount(batch: b, hiddenSize: h))
        output = arena.take(n * e)
        for _ in 0..<c.layers {
            hs.append(arena.take(n * h))
            gates.append(arena.take(n * 4 * h))
        }
    }

    func trainingForward(store: ParameterTable, dropout: Bool, rng: inout RNG) {
        forward(store: store, ids: ids, lengths: lengths, dropout: dropout, zeroPadding: true, rng: &rng)
    }

    /// The GRU's biases, or a shared zero vector when the config has none (RecBole's bias=False).
    private static func gruBias(_ s: ParameterTable, _ c: GRU4RecConfig, _ name: String, zeros: UnsafePointer<Float>) -> UnsafePointer<Float> {
        c.gruBias ? UnsafePointer(s.value(name)) : zeros
    }

    /// Runs the pass on `ids`/`lengths` (left-padded, −1 padding). With `zeroPadding` the padded
    /// rows of `output` are zeroed (forward_train); without, row T − 1 of an empty history keeps
    /// dense(0) = the dense bias, encode's cold-start vector.
    func forward(store s: ParameterTable, ids: UnsafePointer<Int32>, lengths: UnsafePointer<Int32>,
                 dropout: Bool, zeroPadding: Bool, rng: inout RNG) {
        let e = c.embedding, h = c.hidden
        let p = dropout ? Float(c.dropout) : 0
        usedDropout = p > 0
        embeddingForward(out: emb, ids: ids, table: s.value("item_embedding"), count: n, channels: e, paddingID: -1)
        if p > 0 {
            dropoutForward(out: x, mask: embMask, inp: emb, count: n * e, p: p, rng: &rng)
        } else if x != emb {
            x.update(from: emb, count: n * e)
        }
        let zeros = [Float](repeating: 0, count: 3 * h)
        zeros.withUnsafeBufferPointer { z in
            for l in 0..<c.layers {
                let inp = l == 0 ? UnsafePointer(x) : UnsafePointer(hs[l - 1])
                gruForward(hs: hs[l], gates: gates[l], scratch: gruScratch, inp: inp,
                           wIH: s.value("gru.weight_ih_l\(l)"), wHH: s.value("gru.weight_hh_l\(l)"),
                           bIH: Self.gruBias(s, c, "gru.bias_ih_l\(l)", zeros: z.baseAddress!),
                           bHH: Self.gruBias(s, c, "gru.bias_hh_l\(l)", zeros: z.baseAddress!),
                           lengths: lengths, batch: b, time: t, inputSize: l == 0 ? e : h, hiddenSize: h)
            }
        }
        linearForward(out: output, inp: hs[c.layers - 1], weight: s.value("dense.weight"), bias: s.value("dense.bias"),
                      rows: n, inChannels: h, outChannels: e)
        if zeroPadding { zeroPaddedRows(output, lengths: lengths, batch: b, time: t, channels: e) }
    }

    /// Accumulates parameter gradients for dLoss/dOutput given in the ABI's left-aligned layout.
    func backward(store s: ParameterTable, dHiddenLeftAligned dAligned: UnsafePointer<Float>) {
        let e = c.embedding, h = c.hidden
        let work = ScratchArena()
        work.reset(total: ScratchArena.size([n * e, n * h, n * h, n * e, gruBackwardScratchCount(batch: b, time: t, hiddenSize: h),
                                             3 * h, 3 * h]))
        let dOut = work.take(n * e), dA = work.take(n * h), dB = work.take(n * h), dX = work.take(n * e)
        let scratch = work.take(gruBackwardScratchCount(batch: b, time: t, hiddenSize: h))
        // Without GRU biases the kernel still accumulates their gradient: into these sinks, dropped.
        let sinkIH = work.take(3 * h), sinkHH = work.take(3 * h)
        // Left-aligned → left-padded; padded rows stay zero (their outputs were written as 0).
        LeftPaddedBatch.pad(dAligned, into: dOut, lengths: lengths, batch: b, time: t, channels: e)
        // y = h · Wᵀ + b
        var dH = dA, dBelow = dB
        dH.update(repeating: 0, count: n * h)
        linearBackward(dInp: dH, dWeight: s.grad("dense.weight"), dBias: s.grad("dense.bias"), dOut: dOut,
                       inp: hs[c.layers - 1], weight: s.value("dense.weight"), rows: n, inChannels: h, outChannels: e)
        // Through the stack, top to bottom; layer 0's input gradient lands in dX.
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            let dInp = l == 0 ? dX : dBelow
            dInp.update(repeating: 0, count: n * (l == 0 ? e : h))
            gruBackward(dInp: dInp, dWIH: s.grad("gru.weight_ih_l\(l)"), dWHH: s.grad("gru.weight_hh_l\(l)"),
                        dBIH: c.gruBias ? s.grad("gru.bias_ih_l\(l)") : sinkIH,
                        dBHH: c.gruBias ? s.grad("gru.bias_hh_l\(l)") : sinkHH,
                        scratch: scratch, dHs: dH, hs: hs[l], gates: gates[l],
                        inp: l == 0 ? UnsafePointer(x) : UnsafePointer(hs[l - 1]),
                        wIH: s.value("gru.weight_ih_l\(l)"), wHH: s.value("gru.weight_hh_l\(l)"),
                        lengths: lengths, batch: b, time: t, inputSize: l == 0 ? e : h, hiddenSize: h)
            swap(&dH, &dBelow)
        }
        // x = dropout(e): the mask again; e = E[ids]: scatter-add into the item table.
        if usedDropout { for i in 0..<(n * e) { dX[i] *= embMask[i] } }
        embeddingBackward(dTable: s.grad("item_embedding"), dOut: dX, ids: ids, count: n, channels: e, paddingID: -1)
    }
}
