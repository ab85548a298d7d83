// Fully connected layer out = inp·Wᵀ + b (PyTorch's nn.Linear layout) on sgemm, forward and backward.

/// `out[N, OC] = inp[N, IC] · W[OC, IC]ᵀ + bias[OC]`.
///
/// - Parameters:
///   - out: [N, OC], overwritten.
///   - inp: [N, IC].
///   - weight: [OC, IC] (PyTorch layout, so checkpoints load without transposing).
///   - bias: [OC] or nil.
/// - Complexity: 2·N·IC·OC flops in one sgemm.
public func linearForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    rows n: Int, inChannels ic: Int, outChannels oc: Int
) {
    // out[n, o] = bias[o] + sum_i inp[n, i] * W[o, i]
    if let bias {
        for r in 0..<n { (out + r * oc).update(from: bias, count: oc) }
    }
    sgemm(transA: false, transB: true, m: n, n: oc, k: ic, alpha: 1, a: inp, lda: ic, b: weight, ldb: ic,
          beta: bias == nil ? 0 : 1, c: out, ldc: oc)
}

/// Backward of ``linearForward(out:inp:weight:bias:rows:inChannels:outChannels:)``; accumulates.
///
/// - Parameters:
///   - dInp: [N, IC] += dOut·W, or nil when the input needs no gradient (e.g. an embedding lookup
///     whose gradient is taken elsewhere).
///   - dWeight: [OC, IC] += dOutᵀ·inp.
///   - dBias: [OC] += Σ_n dOut[n, :], or nil.
///   - dOut: [N, OC].
public func linearBackward(
    dInp: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
    dOut: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows n: Int, inChannels ic: Int, outChannels oc: Int
) {
    // dInp[n, i] += sum_o dOut[n, o] * W[o, i]
    if let dInp {
        sgemm(transA: false, transB: false, m: n, n: ic, k: oc, alpha: 1, a: dOut, lda: oc, b: weight, ldb: ic,
              beta: 1, c: dInp, ldc: ic)
    }
    // dW[o, i] += sum_n dOut[n, o] * inp[n, i]
    sgemm(transA: true, transB: false, m: oc, n: ic, k: n, alpha: 1, a: dOut, lda: oc, b: inp, ldb: ic,
          beta: 1, c: dWeight, ldc: ic)
    // dBias[o] += sum_n dOut[n, o]
    if let dBias {
        for r in 0..<n { saxpy(oc, 1, dOut + r * oc, dBias) }
    }
}
