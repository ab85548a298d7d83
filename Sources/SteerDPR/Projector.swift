// Projector: the prompt embedder's trainable MLP, encoder space → backbone space, forward and backward.
import SteerNN

// e[N, d] = W2 · GELU(W1 · s[N, E] + b1) + b2. N is B for pooled prompts and B·L for token states
// (the same MLP maps every token, so pooled and token-level heads share one parameterisation).

/// Pointers to the projector's four tensors, either the values or the gradients of a table.
struct ProjectorTensors {
    var w1: UnsafeMutablePointer<Float>   // [P, E]
    var b1: UnsafeMutablePointer<Float>   // [P]
    var w2: UnsafeMutablePointer<Float>   // [d, P]
    var b2: UnsafeMutablePointer<Float>   // [d]

    static func declarations(_ c: DPRConfig) -> [(name: String, count: Int, decays: Bool)] {
        [("proj.w1", c.projectorHidden * c.encoderDim, true), ("proj.b1", c.projectorHidden, false),
         ("proj.w2", c.dim * c.projectorHidden, true), ("proj.b2", c.dim, false)]
    }

    /// The values (`grads == false`) or gradients of the projector in `table`.
    init(_ table: ParameterTable, grads: Bool) {
        let at = grads ? table.grad : table.value
        w1 = at("proj.w1"); b1 = at("proj.b1"); w2 = at("proj.w2"); b2 = at("proj.b2")
    }

    /// Xavier-uniform matrices, zero biases.
    static func initialise(_ table: ParameterTable, _ c: DPRConfig, rng: inout RNG) {
        rng.fillXavierUniform(table.value("proj.w1"), fanOut: c.projectorHidden, fanIn: c.encoderDim)
        rng.fillXavierUniform(table.value("proj.w2"), fanOut: c.dim, fanIn: c.projectorHidden)
    }
}

/// Saved activations of one projector pass over up to `capacity` rows.
final class ProjectorActivations {
    let capacity: Int
    let s: FloatBuffer      // [N, E] input copy (backward needs it for dW1)
    let u: FloatBuffer      // [N, P] pre-activation
    let g: FloatBuffer      // [N, P] GELU(u)
    let e: FloatBuffer      // [N, d] output
    let de: FloatBuffer     // [N, d] gradient of the output (filled by the towers)
    let dg: FloatBuffer     // [N, P] scratch
    let du: FloatBuffer     // [N, P] scratch

    init(rows n: Int, config c: DPRConfig) {
        capacity = n
        s = FloatBuffer(count: n * c.encoderDim)
        u = FloatBuffer(count: n * c.projectorHidden)
        g = FloatBuffer(count: n * c.projectorHidden)
        e = FloatBuffer(count: n * c.dim)
        de = FloatBuffer(count: n * c.dim)
        dg = FloatBuffer(count: n * c.projectorHidden)
        du = FloatBuffer(count: n * c.projectorHidden)
    }
}

/// `acts.e[N, d] = W2·GELU(W1·s + b1) + b2` for `s` [N, E]; copies `s` into `acts.s`.
func projectorForward(_ w: ProjectorTensors, _ acts: ProjectorActivations, input s: UnsafePointer<Float>, rows n: Int, config c: DPRConfig) {
    precondition(n <= acts.capacity)
    acts.s.ptr.update(from: s, count: n * c.encoderDim)
    // u[n, p] = b1[p] + sum_e s[n, e] * W1[p, e]
    linearForward(out: acts.u.ptr, inp: acts.s.ptr, weight: w.w1, bias: w.b1, rows: n, inChannels: c.encoderDim, outChannels: c.projectorHidden)
    // g[n, p] = gelu(u[n, p])
    geluForward(out: acts.g.ptr, inp: acts.u.ptr, count: n * c.projectorHidden)
    // e[n, o] = b2[o] + sum_p g[n, p] * W2[o, p]
    linearForward(out: acts.e.ptr, inp: acts.g.ptr, weight: w.w2, bias: w.b2, rows: n, inChannels: c.projectorHidden, outChannels: c.dim)
}

/// Backward of ``projectorForward(_:_:input:rows:config:)`` from `acts.de`; accumulates into `grad`.
/// No input gradient: the sentence encoder is frozen.
func projectorBackward(_ w: ProjectorTensors, _ grad: ProjectorTensors, _ acts: ProjectorActivations, rows n: Int, config c: DPRConfig) {
    let p = c.projectorHidden
    zero(acts.dg.ptr, count: n * p)
    zero(acts.du.ptr, count: n * p)
    // dg = de · W2; dW2 += deᵀ · g; db2 += Σ de
    linearBackward(dInp: acts.dg.ptr, dWeight: grad.w2, dBias: grad.b2, dOut: acts.de.ptr, inp: acts.g.ptr, weight: w.w2,
                   rows: n, inChannels: p, outChannels: c.dim)
    // du = gelu'(u) * dg
    geluBackward(dInp: acts.du.ptr, dOut: acts.dg.ptr, inp: acts.u.ptr, count: n * p)
    // dW1 += duᵀ · s; db1 += Σ du
    linearBackward(dInp: nil, dWeight: grad.w1, dBias: grad.b1, dOut: acts.du.ptr, inp: acts.s.ptr, weight: w.w1,
                   rows: n, inChannels: c.encoderDim, outChannels: p)
}
