// End-to-end sanity: a tiny attention model built from these ops overfits a small next-item task.
import SteerNN
import XCTest

final class OverfitTests: XCTestCase {
    /// embedding → qkv linear → causal attention → residual → linear → GELU → CE against a tied item table.
    /// Sequences are arithmetic progressions mod V, so the next item needs the previous two (attention).
    func testTinyAttentionModelOverfits() {
        let v = 12, c = 16, nh = 2, b = 6, t = 6, n = b * t
        var rng = RNG(seed: 50)
        var ids = [Int32](repeating: 0, count: n), targets = [Int32](repeating: -1, count: n)
        var lengths = [Int32](repeating: Int32(t), count: b)
        for bi in 0..<b {
            let start = rng.below(v), step = 1 + rng.below(v - 1)
            let len = bi == 0 ? 4 : t
            lengths[bi] = Int32(len)
            for i in 0..<t {
                let k = i - (t - len)
                ids[bi * t + i] = k < 0 ? 0 : Int32((start + k * step) % v)
                targets[bi * t + i] = k < 1 ? -1 : Int32((start + (k + 1) * step) % v)  // predict after seeing two items
            }
        }
        let table = FloatBuffer(count: v * c), wQKV = FloatBuffer(count: 3 * c * c), bQKV = FloatBuffer(count: 3 * c)
        let w2 = FloatBuffer(count: c * c), b2 = FloatBuffer(count: c)
        rng.fillNormal(table.ptr, count: v * c, std: 0.3)
        rng.fillXavierUniform(wQKV.ptr, fanOut: 3 * c, fanIn: c)
        rng.fillXavierUniform(w2.ptr, fanOut: c, fanIn: c)
        let values = [table, wQKV, bQKV, w2, b2]
        let grads = values.map { FloatBuffer(count: $0.count) }
        let params = zip(values, grads).map { Parameter(value: $0.ptr, grad: $1.ptr, count: $0.count, decay: $0.count > c * 3) }
        let opt = AdamW(parameters: params, learningRate: 0.02, weightDecay: 0)
        let x = FloatBuffer(count: n * c), qkv = FloatBuffer(count: n * 3 * c), att = FloatBuffer(count: b * nh * t * t)
        let a = FloatBuffer(count: n * c), r = FloatBuffer(count: n * c), h = FloatBuffer(count: n * c), g = FloatBuffer(count: n * c)
        let dX = FloatBuffer(count: n * c), dQKV = FloatBuffer(count: n * 3 * c), dA = FloatBuffer(count: n * c)
        let dR = FloatBuffer(count: n * c), dH = FloatBuffer(count: n * c), dG = FloatBuffer(count: n * c), scratch = FloatBuffer(count: t * t)
        let ws = CrossEntropyWorkspace(items: v, channels: c, chunkRows: 8)
        var first: Float = 0, last: Float = 0
        for step in 0..<300 {
            embeddingForward(out: x.ptr, ids: ids, table: table.ptr, count: n, channels: c)
            linearForward(out: qkv.ptr, inp: x.ptr, weight: wQKV.ptr, bias: bQKV.ptr, rows: n, inChannels: c, outChannels: 3 * c)
            attentionForward(out: a.ptr, att: att.ptr, qkv: qkv.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
            residualForward(out: r.ptr, a: a.ptr, b: x.ptr, count: n * c)
            linearForward(out: h.ptr, inp: r.ptr, weight: w2.ptr, bias: b2.ptr, rows: n, inChannels: c, outChannels: c)
            geluForward(out: g.ptr, inp: h.ptr, count: n * c)
            zeroGrad(params)
            for buf in [dX, dQKV, dA, dR, dH, dG] { buf.zero() }
            let result = softmaxCrossEntropy(hidden: g.ptr, dHidden: dG.ptr, table: table.ptr, dTable: grads[0].ptr, bias: nil, dBias: nil,
                                             targets: targets, rows: n, items: v, channels: c, workspace: ws)
            geluBackward(dInp: dH.ptr, dOut: dG.ptr, inp: h.ptr, count: n * c)
            linearBackward(dInp: dR.ptr, dWeight: grads[3].ptr, dBias: grads[4].ptr, dOut: dH.ptr, inp: r.ptr, weight: w2.ptr, rows: n, inChannels: c, outChannels: c)
            residualBackward(dA: dA.ptr, dB: dX.ptr, dOut: dR.ptr, count: n * c)
            attentionBackward(dqkv: dQKV.ptr, scratch: scratch.ptr, dOut: dA.ptr, qkv: qkv.ptr, att: att.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
            linearBackward(dInp: dX.ptr, dWeight: grads[1].ptr, dBias: grads[2].ptr, dOut: dQKV.ptr, inp: x.ptr, weight: wQKV.ptr, rows: n, inChannels: c, outChannels: 3 * c)
            embeddingBackward(dTable: grads[0].ptr, dOut: dX.ptr, ids: ids, count: n, channels: c)
            clipGradNorm(params, maxNorm: 5)
            opt.update()
            if step == 0 { first = result.loss }
            last = result.loss
        }
        XCTAssertGreaterThan(first, 1.5)
        XCTAssertLessThan(last, 0.1, "loss went from \(first) to \(last)")
    }
}
