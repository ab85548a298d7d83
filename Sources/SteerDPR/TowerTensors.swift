// TowerTensors and TowerActivations: one fusion tower's parameters (by name) and saved activations.
import SteerNN

/// Pointers to one tower's tensors (values or gradients). Optional ones exist only under the
/// option that needs them: LN gains under `.preLN`, W_q/W_k under `.tokens`, γ under `.layerScale`.
struct TowerTensors {
    var lnQw, lnQb, lnKVw, lnKVb, lnFw, lnFb: UnsafeMutablePointer<Float>?   // [d] each
    var wq, bq, wk, bk: UnsafeMutablePointer<Float>?                         // [d, d], [d]
    var wv, bv, wo, bo: UnsafeMutablePointer<Float>                          // [d, d], [d]
    var gateA, gateF: UnsafeMutablePointer<Float>?                           // [d] LayerScale γ
    var w1, b1: UnsafeMutablePointer<Float>                                  // [F, d], [F]
    var w2, b2: UnsafeMutablePointer<Float>                                  // [d, F], [d]

    /// Tensor declarations of a tower named `prefix` ("pos", "neg" or "fuse"), in save order.
    static func declarations(prefix p: String, _ c: DPRConfig) -> [(name: String, count: Int, decays: Bool)] {
        let d = c.dim, f = c.ffnDim
        var out: [(name: String, count: Int, decays: Bool)] = []
        let ln = c.norm == .preLN, tokens = c.keyValue == .tokens, gated = c.gate != .none
        if ln { out += [("\(p).ln_q.w", d, false), ("\(p).ln_q.b", d, false), ("\(p).ln_kv.w", d, false), ("\(p).ln_kv.b", d, false)] }
        if tokens { out += [("\(p).attn.wq", d * d, true), ("\(p).attn.bq", d, false), ("\(p).attn.wk", d * d, true), ("\(p).attn.bk", d, false)] }
        out += [("\(p).attn.wv", d * d, true), ("\(p).attn.bv", d, false), ("\(p).attn.wo", d * d, true), ("\(p).attn.bo", d, false)]
        if gated { out += [("\(p).attn.scale", d, false)] }
        if ln { out += [("\(p).ln_f.w", d, false), ("\(p).ln_f.b", d, false)] }
        out += [("\(p).ffn.w1", f * d, true), ("\(p).ffn.b1", f, false), ("\(p).ffn.w2", d * f, true), ("\(p).ffn.b2", d, false)]
        if gated { out += [("\(p).ffn.scale", d, false)] }
        return out
    }

    /// The values (`grads == false`) or gradients of tower `prefix` in `table`.
    init(_ table: ParameterTable, prefix p: String, grads: Bool) {
        func at(_ name: String) -> UnsafeMutablePointer<Float> { grads ? table.grad("\(p).\(name)") : table.value("\(p).\(name)") }
        func maybe(_ name: String) -> UnsafeMutablePointer<Float>? { table.contains("\(p).\(name)") ? at(name) : nil }
        lnQw = maybe("ln_q.w"); lnQb = maybe("ln_q.b"); lnKVw = maybe("ln_kv.w"); lnKVb = maybe("ln_kv.b")
        lnFw = maybe("ln_f.w"); lnFb = maybe("ln_f.b")
        wq = maybe("attn.wq"); bq = maybe("attn.bq"); wk = maybe("attn.wk"); bk = maybe("attn.bk")
        wv = at("attn.wv"); bv = at("attn.bv"); wo = at("attn.wo"); bo = at("attn.bo")
        gateA = maybe("attn.scale"); gateF = maybe("ffn.scale")
        w1 = at("ffn.w1"); b1 = at("ffn.b1"); w2 = at("ffn.w2"); b2 = at("ffn.b2")
    }

    /// Xavier-uniform matrices, zero biases, unit LN gains, γ = the gate's initial value.
    static func initialise(_ table: ParameterTable, prefix p: String, _ c: DPRConfig, rng: inout RNG) {
        let d = c.dim, f = c.ffnDim
        for name in ["attn.wq", "attn.wk", "attn.wv", "attn.wo"] where table.contains("\(p).\(name)") {
            rng.fillXavierUniform(table.value("\(p).\(name)"), fanOut: d, fanIn: d)
        }
        rng.fillXavierUniform(table.value("\(p).ffn.w1"), fanOut: f, fanIn: d)
        rng.fillXavierUniform(table.value("\(p).ffn.w2"), fanOut: d, fanIn: f)
        for name in ["ln_q.w", "ln_kv.w", "ln_f.w"] where table.contains("\(p).\(name)") {
            table.value("\(p).\(name)").update(repeating: 1, count: d)
        }
        if case .layerScale(let g) = c.gate {
            table.value("\(p).attn.scale").update(repeating: g, count: d)
            table.value("\(p).ffn.scale").update(repeating: g, count: d)
        }
    }
}

/// Everything one tower saves between forward and backward for up to `rows` rows of `keys`
/// memory slots each, plus its backward scratch. Names follow the equations in FusionTower.swift.
final class TowerActivations {
    let rows: Int, keys: Int
    // Inputs, gathered by the head: the rows routed to this tower.
    let h: FloatBuffer          // [n, d] user vectors
    let mem: FloatBuffer        // [n, Lk, d] projected prompt
    let lens: UnsafeMutablePointer<Int32>   // [n] real memory lengths
    // Forward.
    let a, aMean, aRstd: FloatBuffer        // LN_q(h) [n, d]; [n]; [n]
    let m, mMean, mRstd: FloatBuffer        // LN_kv(mem) [n, Lk, d]; [n·Lk]; [n·Lk]
    let q, k, v, att, o: FloatBuffer       // [n, d]; [n, Lk, d] ×2; [n, NH, Lk]; [n, d]
    let c, maskA: FloatBuffer               // W_o·o + b_o after dropout [n, d]; dropout mask [n, d]
    let h1: FloatBuffer                     // h' [n, d]
    let fin, fMean, fRstd: FloatBuffer      // LN_f(h') [n, d]; [n]; [n]
    let f1, f2, f3, maskF: FloatBuffer      // [n, F]; GELU [n, F]; W2·f2 + b2 after dropout [n, d]; mask
    let z: FloatBuffer                      // output [n, d]
    var dropped = false                     // whether the masks were applied this pass
    // Backward: dz is the input, dh and dmem accumulate (the head zeroes them).
    let dz, dh, dmem: FloatBuffer
    let dh1, dBranch, dFin, dF1, dF2, dO, dQ, dQin, dK, dV, dKVin, scratch: FloatBuffer

    init(rows n: Int, keys lk: Int, config cfg: DPRConfig) {
        rows = n; keys = lk
        let d = cfg.dim, f = cfg.ffnDim
        func buf(_ count: Int) -> FloatBuffer { FloatBuffer(count: count) }
        h = buf(n * d); mem = buf(n * lk * d)
        lens = .allocate(capacity: max(n, 1)); lens.initialize(repeating: 0, count: max(n, 1))
        a = buf(n * d); aMean = buf(n); aRstd = buf(n)
        m = buf(n * lk * d); mMean = buf(n * lk); mRstd = buf(n * lk)
        q = buf(n * d); k = buf(n * lk * d); v = buf(n * lk * d); att = buf(n * cfg.heads * lk); o = buf(n * d)
        c = buf(n * d); maskA = buf(n * d); h1 = buf(n * d)
        fin = buf(n * d); fMean = buf(n); fRstd = buf(n)
        f1 = buf(n * f); f2 = buf(n * f); f3 = buf(n * d); maskF = buf(n * d); z = buf(n * d)
        dz = buf(n * d); dh = buf(n * d); dmem = buf(n * lk * d)
        dh1 = buf(n * d); dBranch = buf(n * d); dFin = buf(n * d); dF1 = buf(n * f); dF2 = buf(n * f)
        dO = buf(n * d); dQ = buf(n * d); dQin = buf(n * d)
        dK = buf(n * lk * d); dV = buf(n * lk * d); dKVin = buf(n * lk * d); scratch = buf(lk)
    }

    deinit { lens.deallocate() }
}
