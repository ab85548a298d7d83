// Single-query multi-head cross-attention over a right-padded key/value memory, forward and backward.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Layout: q [N, C]; k, v [N, Lk, C] (row n's memory, RIGHT-padded: keys j < lengths[n] are real,
// as a tokenizer's output comes); head h owns channels [h·hs, (h+1)·hs), hs = C / NH.
// SteerNN's attention is causal self-attention over left-padded sequences, which is not this op:
// here each row has exactly one query (the user vector), so plain loops cost N·Lk·C and no sgemm
// is worth its call overhead.

/// `out[n, h] = Σ_j att[n, h, j] · v[n, j, h]`, `att[n, h, :] = softmax_{j < len_n}(q[n, h] · k[n, j, h] / √hs)`.
///
/// - Parameters:
///   - out: [N, C], overwritten; zero for a row with no keys.
///   - att: [N, NH, Lk], overwritten with the probabilities (saved for backward); zero on padding.
///   - q: [N, C]. k, v: [N, Lk, C].
///   - lengths: [N] real key counts (clamped to 0...Lk), or nil when every key is real.
/// - Complexity: 4·N·Lk·C flops.
func crossAttentionForward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, lengths: UnsafePointer<Int32>?,
    rows n: Int, keys lk: Int, channels c: Int, heads nh: Int
) {
    precondition(nh > 0 && c % nh == 0, "channels \(c) must be divisible by heads \(nh)")
    let hs = c / nh
    let scale = 1 / sqrtf(Float(hs))
    for r in 0..<n {
        let len = lengths.map { min(lk, max(0, Int($0[r]))) } ?? lk
        (out + r * c).update(repeating: 0, count: c)
        for h in 0..<nh {
            let a = att + (r * nh + h) * lk
            a.update(repeating: 0, count: lk)
            guard len > 0 else { continue }
            let qh = q + r * c + h * hs
            // a[j] = q[n, h] . k[n, j, h] / sqrt(hs), j < len
            var mx = -Float.infinity
            for j in 0..<len {
                let kj = k + (r * lk + j) * c + h * hs
                var s: Float = 0
                for i in 0..<hs { s += qh[i] * kj[i] }
                a[j] = s * scale
                mx = max(mx, a[j])
            }
            var sum: Float = 0
            for j in 0..<len { a[j] = expf(a[j] - mx); sum += a[j] }
            let inv = 1 / sum
            // out[n, h] = sum_j a[j] * v[n, j, h]
            let oh = out + r * c + h * hs
            for j in 0..<len {
                a[j] *= inv
                let vj = v + (r * lk + j) * c + h * hs
                for i in 0..<hs { oh[i] += a[j] * vj[i] }
            }
        }
    }
}

/// Backward of ``crossAttentionForward(out:att:q:k:v:lengths:rows:keys:channels:heads:)``;
/// accumulates into `dq` [N, C], `dk` and `dv` [N, Lk, C] (padded keys get exactly zero).
///
/// `scratch` holds Lk floats.
func crossAttentionBackward(
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, att: UnsafePointer<Float>,
    lengths: UnsafePointer<Int32>?, rows n: Int, keys lk: Int, channels c: Int, heads nh: Int
) {
    let hs = c / nh
    let scale = 1 / sqrtf(Float(hs))
    for r in 0..<n {
        let len = lengths.map { min(lk, max(0, Int($0[r]))) } ?? lk
        guard len > 0 else { continue }
        for h in 0..<nh {
            let a = att + (r * nh + h) * lk
            let go = dOut + r * c + h * hs, qh = q + r * c + h * hs, dqh = dq + r * c + h * hs
            // dA[j] = dOut[n, h] . v[n, j, h];  dv[n, j, h] += a[j] * dOut[n, h]
            var dot: Float = 0
            for j in 0..<len {
                let vj = v + (r * lk + j) * c + h * hs, dvj = dv + (r * lk + j) * c + h * hs
                var s: Float = 0
                for i in 0..<hs { s += go[i] * vj[i]; dvj[i] += a[j] * go[i] }
                scratch[j] = s
                dot += s * a[j]
            }
            // dS[j] = a[j] * (dA[j] - sum_j' a[j'] dA[j']) / sqrt(hs)
            // dq[n, h] += sum_j dS[j] k[n, j, h];  dk[n, j, h] += dS[j] q[n, h]
            for j in 0..<len {
                let ds = a[j] * (scratch[j] - dot) * scale
                let kj = k + (r * lk + j) * c + h * hs, dkj = dk + (r * lk + j) * c + h * hs
                for i in 0..<hs { dqh[i] += ds * kj[i]; dkj[i] += ds * qh[i] }
            }
        }
    }
}
