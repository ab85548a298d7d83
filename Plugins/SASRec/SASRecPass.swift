// One forward (and backward) pass of SASRec over a left-padded batch, with its activations.
import SteerBackboneKit
import SteerNN

/// Activations of one SASRec pass over B × T positions (N = B·T rows), kept for backward.
final class SASRecPass: BackbonePass {
    let c: SASRecConfig
    let b: Int, t: Int, n: Int
    private let arena = ScratchArena()
    let ids, lengths: UnsafeMutablePointer<Int32>

    // Embedding stage: x0 = E[ids] + P[pos]; e = LN(x0); h0 = dropout(e)
    let x0, embMean, embRstd, e, embMask, h0: UnsafeMutablePointer<Float>
    struct Block {
        let inp: UnsafeMutablePointer<Float>  // the block's input (previous block's output)
        let qkv, att, attDropped, a, proj, projMask, r1, mean1, rstd1, h1, f1, g, f2, f2Mask, r2, mean2, rstd2, out: UnsafeMutablePointer<Float>
    }
    private(set) var blocks: [Block] = []
    private var usedDropout = false
    /// [N, d]: the last block's output (or h0 without blocks).
    var output: UnsafeMutablePointer<Float> { blocks.last?.out ?? h0 }

    init(config: SASRecConfig, batch: Int, time: Int, keepForBackward: Bool) {
        c = config; b = batch; t = time; n = batch * time
        let d = c.hidden, f = c.inner, attCount = b * c.heads * t * t
        let perBlock = [3 * n * d, attCount, keepForBackward ? attCount : 0, n * d, n * d, keepForBackward ? n * d : 0, n * d, n, n, n * d,
                        n * f, n * f, n * d, keepForBackward ? n * d : 0, n * d, n, n, n * d]
        let sizes = [n * d, n, n, n * d, keepForBackward ? n * d : 0, n * d] + Array(repeating: perBlock, count: c.layers).flatMap { $0 }
        arena.reset(total: ScratchArena.size(sizes) + ScratchArena.size([n, b]) * 2)
        ids = arena.takeInt32(n)
        lengths = arena.takeInt32(b)
        x0 = arena.take(n * d); embMean = arena.take(n); embRstd = arena.take(n); e = arena.take(n * d)
        embMask = arena.take(keepForBackward ? n * d : 0); h0 = arena.take(n * d)
        var inp = h0
        for _ in 0..<c.layers {
            let block = Block(inp: inp, qkv: arena.take(3 * n * d), att: arena.take(attCount), attDropped: arena.take(keepForBackward ? attCount : 0),
                              a: arena.take(n * d), proj: arena.take(n * d), projMask: arena.take(keepForBackward ? n * d : 0),
                              r1: arena.take(n * d), mean1: arena.take(n), rstd1: arena.take(n), h1: arena.take(n * d),
                              f1: arena.take(n * f), g: arena.take(n * f), f2: arena.take(n * d), f2Mask: arena.take(keepForBackward ? n * d : 0),
                              r2: arena.take(n * d), mean2: arena.take(n), rstd2: arena.take(n), out: arena.take(n * d))
            blocks.append(block)
            inp = block.out
        }
    }

    func trainingForward(store: ParameterTable, dropout: Bool, rng: inout RNG) {
        forward(store: store, ids: ids, lengths: lengths, dropout: dropout, rng: &rng)
    }

    func forward(store s: ParameterTable, ids: UnsafePointer<Int32>, lengths: UnsafePointer<Int32>, dropout: Bool, rng: inout RNG) {
        let d = c.hidden, eps = Float(c.layerNormEps)
        let p = dropout ? Float(c.dropout) : 0, pAtt = dropout ? Float(c.attentionDropout) : 0
        usedDropout = dropout
        embeddingForward(out: x0, ids: ids, table: s.value("item_embedding"), count: n, channels: d, paddingID: -1)
        addPositions(store: s, lengths: lengths)
        layerNormForward(out: e, mean: embMean, rstd: embRstd, inp: x0, weight: s.value("embedding_ln.weight"),
                         bias: s.value("embedding_ln.bias"), rows: n, channels: d, eps: eps)
        if p > 0 { dropoutForward(out: h0, mask: embMask, inp: e, count: n * d, p: p, rng: &rng) } else { h0.update(from: e, count: n * d) }
        for (l, k) in blocks.enumerated() {
            blockForward(l, k, store: s, lengths: lengths, p: p, pAtt: pAtt, eps: eps, rng: &rng)
        }
        zeroPaddedRows(output, lengths: lengths, batch: b, time: t, channels: d)
    }

    /// x0 += P[pos]: rows counted from the window's end (Steer's own models), or from each
    /// history's first item (RecBole's SASRec; see `SASRecConfig.positions`).
    private func addPositions(store s: ParameterTable, lengths: UnsafePointer<Int32>) {
        let d = c.hidden
        if c.positions == "from_start" {
            positionEmbeddingFromStartForward(out: x0, wpe: s.value("position_embedding"), lengths: lengths, batch: b, time: t, channels: d)
        } else {
            positionEmbeddingForward(out: x0, wpe: s.value("position_embedding") + (c.maxLen - t) * d, batch: b, time: t, channels: d)
        }
    }

    /// One block over every position: `k.out = LN2(h1 + FFN(h1))`, `h1 = LN1(inp + Wo · MHA(Wqkv · inp))`.
    private func blockForward(_ l: Int, _ k: Block, store s: ParameterTable, lengths: UnsafePointer<Int32>,
                              p: Float, pAtt: Float, eps: Float, rng: inout RNG) {
        let d = c.hidden, f = c.inner
        let w = { (name: String) in UnsafePointer(s.value("block\(l).\(name)")) }
        linearForward(out: k.qkv, inp: k.inp, weight: w("qkv.weight"), bias: w("qkv.bias"), rows: n, inChannels: d, outChannels: 3 * d)
        if pAtt > 0 {
            attentionForward(out: k.a, att: k.att, attDropped: k.attDropped, qkv: k.qkv, lengths: lengths, batch: b, time: t,
                             channels: d, heads: c.heads, dropout: pAtt, rng: &rng)
        } else {
            attentionForward(out: k.a, att: k.att, qkv: k.qkv, lengths: lengths, batch: b, time: t, channels: d, heads: c.heads)
        }
        linearForward(out: k.proj, inp: k.a, weight: w("proj.weight"), bias: w("proj.bias"), rows: n, inChannels: d, outChannels: d)
        if p > 0 { dropoutForward(out: k.proj, mask: k.projMask, inp: k.proj, count: n * d, p: p, rng: &rng) }
        residualForward(out: k.r1, a: k.proj, b: k.inp, count: n * d)
        layerNormForward(out: k.h1, mean: k.mean1, rstd: k.rstd1, inp: k.r1, weight: w("ln1.weight"), bias: w("ln1.bias"),
                         rows: n, channels: d, eps: eps)
        linearForward(out: k.f1, inp: k.h1, weight: w("ff1.weight"), bias: w("ff1.bias"), rows: n, inChannels: d, outChannels: f)
        geluForward(out: k.g, inp: k.f1, count: n * f, kind: .exact)
        linearForward(out: k.f2, inp: k.g, weight: w("ff2.weight"), bias: w("ff2.bias"), rows: n, inChannels: f, outChannels: d)
        if p > 0 { dropoutForward(out: k.f2, mask: k.f2Mask, inp: k.f2, count: n * d, p: p, rng: &rng) }
        residualForward(out: k.r2, a: k.f2, b: k.h1, count: n * d)
        layerNormForward(out: k.out, mean: k.mean2, rstd: k.rstd2, inp: k.r2, weight: w("ln2.weight"), bias: w("ln2.bias"),
                         rows: n, channels: d, eps: eps)
    }

    /// Inference: each sequence's output at its last position, [B, d] into `out`: what `forward`
    /// leaves at row T − 1 (up to float rounding), with the last block run for that row only.
    /// Every position still feeds the last block's keys and values, but its attention,
    /// projection and FFN run on B rows instead of B·T: for SASRec's 2 blocks about 45% of the flops.
    func forwardLastPositions(store s: ParameterTable, ids: UnsafePointer<Int32>, lengths: UnsafePointer<Int32>,
                              into out: UnsafeMutablePointer<Float>) {
        let d = c.hidden, f = c.inner, eps = Float(c.layerNormEps)
        guard let last = blocks.last else {
            var noRNG = RNG(seed: 0)
            forward(store: s, ids: ids, lengths: lengths, dropout: false, rng: &noRNG)
            LeftPaddedBatch.lastPositions(output, into: out, batch: b, time: t, channels: d)
            return
        }
        var noRNG = RNG(seed: 0)
        embeddingForward(out: x0, ids: ids, table: s.value("item_embedding"), count: n, channels: d, paddingID: -1)
        addPositions(store: s, lengths: lengths)
        layerNormForward(out: e, mean: embMean, rstd: embRstd, inp: x0, weight: s.value("embedding_ln.weight"),
                         bias: s.value("embedding_ln.bias"), rows: n, channels: d, eps: eps)
        h0.update(from: e, count: n * d)
        for (l, k) in blocks.dropLast().enumerated() {
            blockForward(l, k, store: s, lengths: lengths, p: 0, pAtt: 0, eps: eps, rng: &noRNG)
        }
        let l = blocks.count - 1
        let w = { (name: String) in UnsafePointer(s.value("block\(l).\(name)")) }
        let rows = ScratchArena()
        rows.reset(total: ScratchArena.size([t, b * d, b * d, b * d, b * d, b * d, b, b, b * f, b * f, b * d, b * d, b, b]))
        let scores = rows.take(t), a = rows.take(b * d), inp = rows.take(b * d), proj = rows.take(b * d), r1 = rows.take(b * d)
        let h1 = rows.take(b * d), mean1 = rows.take(b), rstd1 = rows.take(b), f1 = rows.take(b * f), g = rows.take(b * f)
        let f2 = rows.take(b * d), r2 = rows.take(b * d), mean2 = rows.take(b), rstd2 = rows.take(b)
        linearForward(out: last.qkv, inp: last.inp, weight: w("qkv.weight"), bias: w("qkv.bias"), rows: n, inChannels: d, outChannels: 3 * d)
        lastQueryAttentionForward(out: a, scores: scores, qkv: last.qkv, lengths: lengths, batch: b, time: t, channels: d, heads: c.heads)
        LeftPaddedBatch.lastPositions(last.inp, into: inp, batch: b, time: t, channels: d)
        linearForward(out: proj, inp: a, weight: w("proj.weight"), bias: w("proj.bias"), rows: b, inChannels: d, outChannels: d)
        residualForward(out: r1, a: proj, b: inp, count: b * d)
        layerNormForward(out: h1, mean: mean1, rstd: rstd1, inp: r1, weight: w("ln1.weight"), bias: w("ln1.bias"), rows: b, channels: d, eps: eps)
        linearForward(out: f1, inp: h1, weight: w("ff1.weight"), bias: w("ff1.bias"), rows: b, inChannels: d, outChannels: f)
        geluForward(out: g, inp: f1, count: b * f, kind: .exact)
        linearForward(out: f2, inp: g, weight: w("ff2.weight"), bias: w("ff2.bias"), rows: b, inChannels: f, outChannels: d)
        residualForward(out: r2, a: f2, b: h1, count: b * d)
        layerNormForward(out: out, mean: mean2, rstd: rstd2, inp: r2, weight: w("ln2.weight"), bias: w("ln2.bias"), rows: b, channels: d, eps: eps)
        // An empty sequence's output is zero, as `forward` leaves its padded rows.
        for row in 0..<b where lengths[row] <= 0 { (out + row * d).update(repeating: 0, count: d) }
    }

    /// Accumulates parameter gradients for dLoss/dOutput given in the ABI's left-aligned layout.
    func backward(store s: ParameterTable, dHiddenLeftAligned dAligned: UnsafePointer<Float>) {
        let d = c.hidden, f = c.inner
        let p = usedDropout ? Float(c.dropout) : 0, pAtt = usedDropout ? Float(c.attentionDropout) : 0
        let work = ScratchArena()
        work.reset(total: ScratchArena.size([n * d, n * d, 3 * n * d, n * d, n * d, n * f, n * f, t * t, n * d]))
        let dOut = work.take(n * d), dIn = work.take(n * d), dqkv = work.take(3 * n * d), da = work.take(n * d)
        let dr = work.take(n * d), df1 = work.take(n * f), dg = work.take(n * f), scratch = work.take(t * t), dh1 = work.take(n * d)
        // Left-aligned → left-padded; padded rows stay zero (their outputs were written as 0).
        LeftPaddedBatch.pad(dAligned, into: dOut, lengths: lengths, batch: b, time: t, channels: d)
        for (l, k) in blocks.enumerated().reversed() {
            let w = { (name: String) in UnsafePointer(s.value("block\(l).\(name)")) }
            let g = { (name: String) in s.grad("block\(l).\(name)") }
            // out = LN2(r2); r2 = f2 + h1
            dr.update(repeating: 0, count: n * d)
            layerNormBackward(dInp: dr, dWeight: g("ln2.weight"), dBias: g("ln2.bias"), dOut: dOut, inp: k.r2, weight: w("ln2.weight"),
                              mean: k.mean2, rstd: k.rstd2, rows: n, channels: d)
            dh1.update(from: dr, count: n * d)  // residual path into h1
            if p > 0 { for i in 0..<(n * d) { dr[i] *= k.f2Mask[i] } }
            // f2 = W2 · g; g = GELU(f1); f1 = W1 · h1
            dg.update(repeating: 0, count: n * f)
            linearBackward(dInp: dg, dWeight: g("ff2.weight"), dBias: g("ff2.bias"), dOut: dr, inp: k.g, weight: w("ff2.weight"),
                           rows: n, inChannels: f, outChannels: d)
            df1.update(repeating: 0, count: n * f)
            geluBackward(dInp: df1, dOut: dg, inp: k.f1, count: n * f, kind: .exact)
            linearBackward(dInp: dh1, dWeight: g("ff1.weight"), dBias: g("ff1.bias"), dOut: df1, inp: k.h1, weight: w("ff1.weight"),
                           rows: n, inChannels: d, outChannels: f)
            // h1 = LN1(r1); r1 = proj + inp
            dr.update(repeating: 0, count: n * d)
            layerNormBackward(dInp: dr, dWeight: g("ln1.weight"), dBias: g("ln1.bias"), dOut: dh1, inp: k.r1, weight: w("ln1.weight"),
                              mean: k.mean1, rstd: k.rstd1, rows: n, channels: d)
            dIn.update(from: dr, count: n * d)  // residual path into the block input
            if p > 0 { for i in 0..<(n * d) { dr[i] *= k.projMask[i] } }
            da.update(repeating: 0, count: n * d)
            linearBackward(dInp: da, dWeight: g("proj.weight"), dBias: g("proj.bias"), dOut: dr, inp: k.a, weight: w("proj.weight"),
                           rows: n, inChannels: d, outChannels: d)
            dqkv.update(repeating: 0, count: 3 * n * d)
            attentionBackward(dqkv: dqkv, scratch: scratch, dOut: da, qkv: k.qkv, att: k.att,
                              attDropped: pAtt > 0 ? UnsafePointer(k.attDropped) : nil, dropout: pAtt,
                              lengths: lengths, batch: b, time: t, channels: d, heads: c.heads)
            linearBackward(dInp: dIn, dWeight: g("qkv.weight"), dBias: g("qkv.bias"), dOut: dqkv, inp: k.inp, weight: w("qkv.weight"),
                           rows: n, inChannels: d, outChannels: 3 * d)
            dOut.update(from: dIn, count: n * d)
        }
        // h0 = dropout(e); e = LN(x0); x0 = E[ids] + P[pos]
        if p > 0 { for i in 0..<(n * d) { dOut[i] *= embMask[i] } }
        dIn.update(repeating: 0, count: n * d)
        layerNormBackward(dInp: dIn, dWeight: s.grad("embedding_ln.weight"), dBias: s.grad("embedding_ln.bias"), dOut: dOut, inp: x0,
                          weight: s.value("embedding_ln.weight"), mean: embMean, rstd: embRstd, rows: n, channels: d)
        zeroPaddedRows(dIn, lengths: lengths, batch: b, time: t, channels: d)
        if c.positions == "from_start" {
            positionEmbeddingFromStartBackward(dWpe: s.grad("position_embedding"), dOut: dIn, lengths: lengths, batch: b, time: t, channels: d)
        } else {
            positionEmbeddingBackward(dWpe: s.grad("position_embedding") + (c.maxLen - t) * d, dOut: dIn, batch: b, time: t, channels: d)
        }
        embeddingBackward(dTable: s.grad("item_embedding"), dOut: dIn, ids: ids, count: n, channels: d, paddingID: -1)
    }
}
