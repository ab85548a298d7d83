// Single-layer GRU (PyTorch gate layout r, z, n) over left-padded sequences, with full BPTT.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Equations (PyTorch nn.GRU): with gx = W_ih·x + b_ih and gh = W_hh·h + b_hh split into [r | z | n],
//   r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n), h' = (1 − z) ⊙ n + z ⊙ h.
// Sequences are LEFT-padded, like attention: sequence b of length L_b is real at t ≥ p0 = T − L_b.
// The state starts at h = 0 and stays 0 through the padding, so the first real step sees h = 0,
// exactly as if the sequence began there, and the last real state is always at t = T − 1.

/// Floats of `scratch` that ``gruForward(hs:gates:scratch:inp:wIH:wHH:bIH:bHH:lengths:batch:time:inputSize:hiddenSize:)`` needs: B·3H.
public func gruForwardScratchCount(batch b: Int, hiddenSize h: Int) -> Int { b * 3 * h }

/// Floats of `scratch` that ``gruBackward(dInp:dWIH:dWHH:dBIH:dBHH:scratch:dHs:hs:gates:inp:wIH:wHH:lengths:batch:time:inputSize:hiddenSize:)`` needs: B·T·3H + B·3H + 2·B·H.
public func gruBackwardScratchCount(batch b: Int, time t: Int, hiddenSize h: Int) -> Int { b * t * 3 * h + b * 3 * h + 2 * b * h }

@inline(__always) private func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// Runs the GRU over every step and returns all hidden states.
///
/// - Parameters:
///   - hs: [B, T, H], overwritten; zero at padded steps.
///   - gates: [B, T, 4H], overwritten and saved for backward: r, z, n and gh_n = W_hn·h + b_hn per step.
///   - scratch: ``gruForwardScratchCount(batch:hiddenSize:)`` floats, clobbered.
///   - inp: [B, T, I].
///   - wIH: [3H, I]; wHH: [3H, H]; bIH, bHH: [3H] (PyTorch `weight_ih_l0` etc., rows r, z, n).
///   - lengths: [B], real length of each sequence (clamped to 0...T).
/// - Complexity: one B·T×I×3H sgemm for all input projections, then T sgemms of B×H×3H.
public func gruForward(
    hs: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, wIH: UnsafePointer<Float>, wHH: UnsafePointer<Float>,
    bIH: UnsafePointer<Float>, bHH: UnsafePointer<Float>, lengths: UnsafePointer<Int32>,
    batch b: Int, time t: Int, inputSize ni: Int, hiddenSize h: Int
) {
    let g3 = 3 * h, g4 = 4 * h
    // gates[b, t, 0:3H] = inp[b, t] . W_ihᵀ + b_ih   (one sgemm, written with row stride 4H)
    for row in 0..<(b * t) { (gates + row * g4).update(from: bIH, count: g3) }
    sgemm(transA: false, transB: true, m: b * t, n: g3, k: ni, alpha: 1, a: inp, lda: ni, b: wIH, ldb: ni,
          beta: 1, c: gates, ldc: g4)
    let gh = scratch
    for step in 0..<t {
        // gh[b] = b_hh + h[b, t-1] . W_hhᵀ   (h[b, -1] = 0)
        for bi in 0..<b { (gh + bi * g3).update(from: bHH, count: g3) }
        if step > 0 {
            sgemm(transA: false, transB: true, m: b, n: g3, k: h, alpha: 1, a: hs + (step - 1) * h, lda: t * h,
                  b: wHH, ldb: h, beta: 1, c: gh, ldc: g3)
        }
        for bi in 0..<b {
            let g = gates + (bi * t + step) * g4, ghb = gh + bi * g3
            let hOut = hs + (bi * t + step) * h
            let len = min(t, max(0, Int(lengths[bi])))
            if step < t - len {
                // Padding: the state stays zero and nothing is saved.
                hOut.update(repeating: 0, count: h)
                g.update(repeating: 0, count: g4)
                continue
            }
            let hPrev: UnsafePointer<Float>? = step > 0 ? UnsafePointer(hs + (bi * t + step - 1) * h) : nil
            // h[b, t] = (1 - z) * n + z * h[b, t-1]
            for j in 0..<h {
                let r = sigmoid(g[j] + ghb[j])
                let z = sigmoid(g[h + j] + ghb[h + j])
                let hn = ghb[2 * h + j]
                let n = tanhf(g[2 * h + j] + r * hn)
                g[j] = r; g[h + j] = z; g[2 * h + j] = n; g[3 * h + j] = hn
                hOut[j] = (1 - z) * n + z * (hPrev?[j] ?? 0)
            }
        }
    }
}

/// Backpropagation through time for ``gruForward(hs:gates:scratch:inp:wIH:wHH:bIH:bHH:lengths:batch:time:inputSize:hiddenSize:)``; accumulates.
///
/// - Parameters:
///   - dInp: [B, T, I] += ∂L/∂inp, or nil to skip.
///   - dWIH: [3H, I]; dWHH: [3H, H]; dBIH, dBHH: [3H]; all accumulated into.
///   - scratch: ``gruBackwardScratchCount(batch:time:hiddenSize:)`` floats, clobbered.
///   - dHs: [B, T, H], the gradient of every hidden state (zero where the loss ignores a step).
///   - hs, gates: as saved by the forward pass; inp, weights, lengths: as given to it.
public func gruBackward(
    dInp: UnsafeMutablePointer<Float>?, dWIH: UnsafeMutablePointer<Float>, dWHH: UnsafeMutablePointer<Float>,
    dBIH: UnsafeMutablePointer<Float>, dBHH: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    dHs: UnsafePointer<Float>, hs: UnsafePointer<Float>, gates: UnsafePointer<Float>, inp: UnsafePointer<Float>,
    wIH: UnsafePointer<Float>, wHH: UnsafePointer<Float>, lengths: UnsafePointer<Int32>,
    batch b: Int, time t: Int, inputSize ni: Int, hiddenSize h: Int
) {
    let g3 = 3 * h, g4 = 4 * h
    let dgx = scratch                      // [B, T, 3H] gradient of the input pre-activations
    let dgh = dgx + b * t * g3             // [B, 3H] gradient of gh at the current step
    let dhCur = dgh + b * g3               // [B, H] total gradient of h[b, t]
    let carry = dhCur + b * h              // [B, H] gradient flowing from step t+1 into h[b, t]
    carry.update(repeating: 0, count: b * h)
    for step in stride(from: t - 1, through: 0, by: -1) {
        for bi in 0..<b {
            let g = gates + (bi * t + step) * g4
            let dh = dhCur + bi * h, dhs = dHs + (bi * t + step) * h, cr = carry + bi * h
            let dx = dgx + (bi * t + step) * g3, dg = dgh + bi * g3
            // dh[b] = dHs[b, t] + carry[b]
            for j in 0..<h { dh[j] = dhs[j] + cr[j] }
            let len = min(t, max(0, Int(lengths[bi])))
            if step < t - len {
                dx.update(repeating: 0, count: g3)
                dg.update(repeating: 0, count: g3)
                continue
            }
            let hPrev: UnsafePointer<Float>? = step > 0 ? hs + (bi * t + step - 1) * h : nil
            for j in 0..<h {
                let r = g[j], z = g[h + j], n = g[2 * h + j], hn = g[3 * h + j]
                let d = dh[j]
                // h = (1-z) n + z hPrev;  n = tanh(a_n), a_n = gx_n + r * hn
                let dan = d * (1 - z) * (1 - n * n)
                let daz = d * ((hPrev?[j] ?? 0) - n) * z * (1 - z)
                let dar = dan * hn * r * (1 - r)
                dx[j] = dar; dx[h + j] = daz; dx[2 * h + j] = dan
                dg[j] = dar; dg[h + j] = daz; dg[2 * h + j] = dan * r
            }
        }
        guard step > 0 else { break }
        // carry[b] = dgh[b] . W_hh + dh[b] * z[b]   (padded rows: z = 1, the state passes through)
        sgemm(transA: false, transB: false, m: b, n: h, k: g3, alpha: 1, a: dgh, lda: g3, b: wHH, ldb: h,
              beta: 0, c: carry, ldc: h)
        for bi in 0..<b {
            let g = gates + (bi * t + step) * g4 + h, dh = dhCur + bi * h, cr = carry + bi * h
            let len = min(t, max(0, Int(lengths[bi])))
            if step < t - len {
                for j in 0..<h { cr[j] += dh[j] }
            } else {
                for j in 0..<h { cr[j] += dh[j] * g[j] }
            }
        }
        // dW_hh[g, j] += sum_b dgh[b, g] * h[b, t-1, j]
        sgemm(transA: true, transB: false, m: g3, n: h, k: b, alpha: 1, a: dgh, lda: g3, b: hs + (step - 1) * h,
              ldb: t * h, beta: 1, c: dWHH, ldc: h)
    }
    // dB_hh equals the sum of dgh over all steps, which differs from dgx only in the n slot (× r);
    // recompute it from dgx and the saved r to avoid a second [B, T, 3H] buffer.
    for row in 0..<(b * t) {
        let dx = dgx + row * g3, r = gates + row * g4
        for j in 0..<(2 * h) { dBHH[j] += dx[j] }
        for j in 0..<h { dBHH[2 * h + j] += dx[2 * h + j] * r[j] }
        for j in 0..<g3 { dBIH[j] += dx[j] }
    }
    // dInp[b, t] += dgx[b, t] . W_ih;  dW_ih += dgxᵀ . inp
    if let dInp {
        sgemm(transA: false, transB: false, m: b * t, n: ni, k: g3, alpha: 1, a: dgx, lda: g3, b: wIH, ldb: ni,
              beta: 1, c: dInp, ldc: ni)
    }
    sgemm(transA: true, transB: false, m: g3, n: ni, k: b * t, alpha: 1, a: dgx, lda: g3, b: inp, ldb: ni,
          beta: 1, c: dWIH, ldc: ni)
}
