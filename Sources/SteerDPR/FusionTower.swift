// FusionTower: one DPR fusion block (paper eqs. 4–6), forward and backward on the rows routed to it.
import SteerNN

// Equations, per row (n rows, d channels, Lk memory slots, F FFN size), with the options of DPRConfig:
//   a   = LN_q(h)             (or h without LN)                     [n, d]
//   m   = LN_kv(mem)          (or mem)                              [n, Lk, d]
//   q   = W_q a + b_q,  k = W_k m + b_k   (tokens only)             [n, d], [n, Lk, d]
//   v   = W_v m + b_v                                               [n, Lk, d]
//   o   = MHCA(q, k, v)       (tokens; pooled: o = v, the weight of a single key is 1)
//   c   = drop(W_o o + b_o)                                         [n, d]
//   h'  = h + γ_a ⊙ c         (γ_a = 1 without a gate)              eq. 5
//   fin = LN_f(h')            (or h')
//   f3  = drop(W_2 GELU(W_1 fin + b_1) + b_2)                       [n, d]
//   z   = h' + γ_f ⊙ f3                                             eq. 6
// The residual stream (h → h' → z) is never normalised, so with γ ≈ 0 the tower is the identity.

/// Forward of one tower over `n` rows: reads `acts.h`, `acts.mem`, `acts.lens`; writes `acts.z`.
///
/// - Parameters:
///   - dropout: probability for this pass (0 at inference); masks come from `rng`.
func towerForward(_ w: TowerTensors, _ acts: TowerActivations, rows n: Int, keys lk: Int, config cfg: DPRConfig,
                  dropout p: Float, rng: inout RNG) {
    precondition(n <= acts.rows && lk <= acts.keys, "tower activations too small")
    guard n > 0 else { return }
    let d = cfg.dim, f = cfg.ffnDim, nk = n * lk
    let tokens = cfg.keyValue == .tokens
    // a = LN_q(h), m = LN_kv(mem)
    var qIn = UnsafePointer(acts.h.ptr), kvIn = UnsafePointer(acts.mem.ptr)
    if let lw = w.lnQw, let lb = w.lnQb, let kw = w.lnKVw, let kb = w.lnKVb {
        layerNormForward(out: acts.a.ptr, mean: acts.aMean.ptr, rstd: acts.aRstd.ptr, inp: acts.h.ptr, weight: lw, bias: lb, rows: n, channels: d)
        layerNormForward(out: acts.m.ptr, mean: acts.mMean.ptr, rstd: acts.mRstd.ptr, inp: acts.mem.ptr, weight: kw, bias: kb, rows: nk, channels: d)
        qIn = UnsafePointer(acts.a.ptr); kvIn = UnsafePointer(acts.m.ptr)
    }
    // v = W_v m + b_v
    linearForward(out: acts.v.ptr, inp: kvIn, weight: w.wv, bias: w.bv, rows: nk, inChannels: d, outChannels: d)
    var o = UnsafePointer(acts.v.ptr)
    if tokens {
        // q = W_q a + b_q; k = W_k m + b_k; o = MHCA(q, k, v) over the first lens[n] slots
        linearForward(out: acts.q.ptr, inp: qIn, weight: w.wq!, bias: w.bq!, rows: n, inChannels: d, outChannels: d)
        linearForward(out: acts.k.ptr, inp: kvIn, weight: w.wk!, bias: w.bk!, rows: nk, inChannels: d, outChannels: d)
        crossAttentionForward(out: acts.o.ptr, att: acts.att.ptr, q: acts.q.ptr, k: acts.k.ptr, v: acts.v.ptr, lengths: acts.lens,
                              rows: n, keys: lk, channels: d, heads: cfg.heads)
        o = UnsafePointer(acts.o.ptr)
    }
    // c = drop(W_o o + b_o)
    linearForward(out: acts.c.ptr, inp: o, weight: w.wo, bias: w.bo, rows: n, inChannels: d, outChannels: d)
    acts.dropped = p > 0
    if acts.dropped { dropoutForward(out: acts.c.ptr, mask: acts.maskA.ptr, inp: acts.c.ptr, count: n * d, p: p, rng: &rng) }
    // h' = h + γ_a ⊙ c
    gatedResidual(out: acts.h1.ptr, base: acts.h.ptr, update: acts.c.ptr, gate: w.gateA, rows: n, channels: d)
    // fin = LN_f(h')
    var fin = UnsafePointer(acts.h1.ptr)
    if let fw = w.lnFw, let fb = w.lnFb {
        layerNormForward(out: acts.fin.ptr, mean: acts.fMean.ptr, rstd: acts.fRstd.ptr, inp: acts.h1.ptr, weight: fw, bias: fb, rows: n, channels: d)
        fin = UnsafePointer(acts.fin.ptr)
    }
    // f3 = drop(W_2 GELU(W_1 fin + b_1) + b_2)
    linearForward(out: acts.f1.ptr, inp: fin, weight: w.w1, bias: w.b1, rows: n, inChannels: d, outChannels: f)
    geluForward(out: acts.f2.ptr, inp: acts.f1.ptr, count: n * f)
    linearForward(out: acts.f3.ptr, inp: acts.f2.ptr, weight: w.w2, bias: w.b2, rows: n, inChannels: f, outChannels: d)
    if acts.dropped { dropoutForward(out: acts.f3.ptr, mask: acts.maskF.ptr, inp: acts.f3.ptr, count: n * d, p: p, rng: &rng) }
    // z = h' + γ_f ⊙ f3
    gatedResidual(out: acts.z.ptr, base: acts.h1.ptr, update: acts.f3.ptr, gate: w.gateF, rows: n, channels: d)
}

/// Backward of ``towerForward(_:_:rows:keys:config:dropout:rng:)`` from `acts.dz`: accumulates into
/// `acts.dh` [n, d], `acts.dmem` [n, Lk, d] and the gradients `g`.
func towerBackward(_ w: TowerTensors, _ g: TowerTensors, _ acts: TowerActivations, rows n: Int, keys lk: Int, config cfg: DPRConfig) {
    guard n > 0 else { return }
    let d = cfg.dim, f = cfg.ffnDim, nk = n * lk
    let tokens = cfg.keyValue == .tokens, ln = w.lnQw != nil
    let qIn = UnsafePointer(ln ? acts.a.ptr : acts.h.ptr), kvIn = UnsafePointer(ln ? acts.m.ptr : acts.mem.ptr)
    let fin = UnsafePointer(ln ? acts.fin.ptr : acts.h1.ptr)
    // z = h' + γ_f ⊙ f3:  dh' = dz;  dγ_f += Σ_n dz ⊙ f3;  df3 = dz ⊙ γ_f (⊙ mask)
    acts.dh1.ptr.update(from: acts.dz.ptr, count: n * d)
    gatedResidualBackward(dUpdate: acts.dBranch.ptr, dGate: g.gateF, dOut: acts.dz.ptr, update: acts.f3.ptr, gate: w.gateF,
                          mask: acts.dropped ? acts.maskF.ptr : nil, rows: n, channels: d)
    zero(acts.dF2.ptr, count: n * f); zero(acts.dF1.ptr, count: n * f); zero(acts.dFin.ptr, count: n * d)
    linearBackward(dInp: acts.dF2.ptr, dWeight: g.w2, dBias: g.b2, dOut: acts.dBranch.ptr, inp: acts.f2.ptr, weight: w.w2,
                   rows: n, inChannels: f, outChannels: d)
    geluBackward(dInp: acts.dF1.ptr, dOut: acts.dF2.ptr, inp: acts.f1.ptr, count: n * f)
    linearBackward(dInp: acts.dFin.ptr, dWeight: g.w1, dBias: g.b1, dOut: acts.dF1.ptr, inp: fin, weight: w.w1,
                   rows: n, inChannels: d, outChannels: f)
    // dh' += LN_f'(dFin)
    optionalLayerNormBackward(dInp: acts.dh1.ptr, dWeight: g.lnFw, dBias: g.lnFb, dOut: acts.dFin.ptr, inp: acts.h1.ptr, weight: w.lnFw,
                              mean: acts.fMean.ptr, rstd: acts.fRstd.ptr, rows: n, channels: d)
    // h' = h + γ_a ⊙ c:  dh += dh';  dγ_a += Σ_n dh' ⊙ c;  dc = dh' ⊙ γ_a (⊙ mask)
    accumulate(acts.dh.ptr, acts.dh1.ptr, count: n * d)
    gatedResidualBackward(dUpdate: acts.dBranch.ptr, dGate: g.gateA, dOut: acts.dh1.ptr, update: acts.c.ptr, gate: w.gateA,
                          mask: acts.dropped ? acts.maskA.ptr : nil, rows: n, channels: d)
    // c = W_o o + b_o
    zero(acts.dO.ptr, count: n * d)
    let o = UnsafePointer(tokens ? acts.o.ptr : acts.v.ptr)
    linearBackward(dInp: acts.dO.ptr, dWeight: g.wo, dBias: g.bo, dOut: acts.dBranch.ptr, inp: o, weight: w.wo,
                   rows: n, inChannels: d, outChannels: d)
    zero(acts.dKVin.ptr, count: nk * d)
    var dV = UnsafePointer(acts.dO.ptr)   // pooled: o = v, so dv = do
    if tokens {
        zero(acts.dQ.ptr, count: n * d); zero(acts.dK.ptr, count: nk * d); zero(acts.dV.ptr, count: nk * d)
        crossAttentionBackward(dq: acts.dQ.ptr, dk: acts.dK.ptr, dv: acts.dV.ptr, scratch: acts.scratch.ptr, dOut: acts.dO.ptr,
                               q: acts.q.ptr, k: acts.k.ptr, v: acts.v.ptr, att: acts.att.ptr, lengths: acts.lens,
                               rows: n, keys: lk, channels: d, heads: cfg.heads)
        dV = UnsafePointer(acts.dV.ptr)
        linearBackward(dInp: acts.dKVin.ptr, dWeight: g.wk!, dBias: g.bk!, dOut: acts.dK.ptr, inp: kvIn, weight: w.wk!,
                       rows: nk, inChannels: d, outChannels: d)
    }
    linearBackward(dInp: acts.dKVin.ptr, dWeight: g.wv, dBias: g.bv, dOut: dV, inp: kvIn, weight: w.wv,
                   rows: nk, inChannels: d, outChannels: d)
    // m = LN_kv(mem): dmem += LN_kv'(dKVin)
    optionalLayerNormBackward(dInp: acts.dmem.ptr, dWeight: g.lnKVw, dBias: g.lnKVb, dOut: acts.dKVin.ptr, inp: acts.mem.ptr, weight: w.lnKVw,
                              mean: acts.mMean.ptr, rstd: acts.mRstd.ptr, rows: nk, channels: d)
    // q = W_q a + b_q, a = LN_q(h): dh += LN_q'(W_qᵀ dq)
    guard tokens else { return }
    zero(acts.dQin.ptr, count: n * d)
    linearBackward(dInp: acts.dQin.ptr, dWeight: g.wq!, dBias: g.bq!, dOut: acts.dQ.ptr, inp: qIn, weight: w.wq!,
                   rows: n, inChannels: d, outChannels: d)
    optionalLayerNormBackward(dInp: acts.dh.ptr, dWeight: g.lnQw, dBias: g.lnQb, dOut: acts.dQin.ptr, inp: acts.h.ptr, weight: w.lnQw,
                              mean: acts.aMean.ptr, rstd: acts.aRstd.ptr, rows: n, channels: d)
}

/// Backward of a LayerNorm the configuration may leave out (`weight` nil: the identity):
/// `dInp += LN'(dOut)`, or `dInp += dOut` without one.
private func optionalLayerNormBackward(dInp: UnsafeMutablePointer<Float>, dWeight: UnsafeMutablePointer<Float>?,
                                       dBias: UnsafeMutablePointer<Float>?, dOut: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                       weight: UnsafeMutablePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                       rows n: Int, channels d: Int) {
    guard let weight else { accumulate(dInp, dOut, count: n * d); return }
    layerNormBackward(dInp: dInp, dWeight: dWeight!, dBias: dBias!, dOut: dOut, inp: inp, weight: weight,
                      mean: mean, rstd: rstd, rows: n, channels: d)
}

/// `out[n, i] = base[n, i] + γ[i] · update[n, i]` (γ ≡ 1 when `gate` is nil).
private func gatedResidual(out: UnsafeMutablePointer<Float>, base: UnsafePointer<Float>, update: UnsafePointer<Float>,
                           gate: UnsafeMutablePointer<Float>?, rows n: Int, channels d: Int) {
    guard let gate else { residualForward(out: out, a: base, b: update, count: n * d); return }
    for r in 0..<n {
        for i in 0..<d { out[r * d + i] = base[r * d + i] + gate[i] * update[r * d + i] }
    }
}

/// Update side of the backward of ``gatedResidual(out:base:update:gate:rows:channels:)`` (the base
/// side is dOut itself): `dUpdate = dOut ⊙ γ ⊙ mask` (overwritten), `dGate[i] += Σ_n dOut[n, i] · update[n, i]`.
/// `update` is the post-dropout value, so the mask is applied after the gate's gradient is taken.
private func gatedResidualBackward(dUpdate: UnsafeMutablePointer<Float>, dGate: UnsafeMutablePointer<Float>?, dOut: UnsafePointer<Float>,
                                   update: UnsafePointer<Float>, gate: UnsafeMutablePointer<Float>?, mask: UnsafePointer<Float>?,
                                   rows n: Int, channels d: Int) {
    for r in 0..<n {
        for i in 0..<d {
            let j = r * d + i
            if let dGate { dGate[i] += dOut[j] * update[j] }
            dUpdate[j] = dOut[j] * (gate?[i] ?? 1) * (mask?[j] ?? 1)
        }
    }
}
