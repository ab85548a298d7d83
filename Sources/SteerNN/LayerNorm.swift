// Layer normalisation over the channel axis, forward (saving mean and rstd) and backward.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `out[n, :] = (inp[n, :] − mean[n]) · rstd[n] · weight + bias`, with biased variance.
///
/// - Parameters:
///   - out: [N, C], overwritten (may not alias `inp`).
///   - mean: [N], saved for backward.
///   - rstd: [N], `1 / sqrt(var + eps)`, saved for backward.
///   - inp: [N, C].
///   - weight, bias: [C].
///   - eps: added to the variance (PyTorch default 1e-5; RecBole's SASRec uses 1e-12).
public func layerNormForward(
    out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    rows n: Int, channels c: Int, eps: Float = 1e-5
) {
    // out[n, c] = (inp[n, c] - mean[n]) * rstd[n] * w[c] + b[c]
    for r in 0..<n {
        let x = inp + r * c, y = out + r * c
        var m: Float = 0
        for i in 0..<c { m += x[i] }
        m /= Float(c)
        var v: Float = 0
        for i in 0..<c { let d = x[i] - m; v += d * d }
        v /= Float(c)
        let s = 1 / sqrtf(v + eps)
        for i in 0..<c { y[i] = (x[i] - m) * s * weight[i] + bias[i] }
        mean[r] = m
        rstd[r] = s
    }
}

/// Backward of ``layerNormForward(out:mean:rstd:inp:weight:bias:rows:channels:eps:)``; accumulates.
///
/// With x̂ = (x − mean)·rstd and g = dOut·weight:
/// `dInp += rstd · (g − mean(g) − x̂ · mean(g · x̂))`, `dWeight += Σ dOut·x̂`, `dBias += Σ dOut`.
/// - Parameters:
///   - dInp: [N, C]; dWeight, dBias: [C]; dOut, inp: [N, C]; mean, rstd: [N] from forward.
public func layerNormBackward(
    dInp: UnsafeMutablePointer<Float>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
    dOut: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows n: Int, channels c: Int
) {
    for r in 0..<n {
        let x = inp + r * c, dy = dOut + r * c, dx = dInp + r * c
        let m = mean[r], s = rstd[r]
        // Two reductions first: the row's gradient couples every channel through mean and variance.
        var gMean: Float = 0, gxMean: Float = 0
        for i in 0..<c {
            let xh = (x[i] - m) * s
            let g = dy[i] * weight[i]
            gMean += g
            gxMean += g * xh
        }
        gMean /= Float(c)
        gxMean /= Float(c)
        // dx[n, c] += rstd * (g - mean(g) - xhat * mean(g * xhat))
        for i in 0..<c {
            let xh = (x[i] - m) * s
            let g = dy[i] * weight[i]
            dBias[i] += dy[i]
            dWeight[i] += dy[i] * xh
            dx[i] += s * (g - gMean - xh * gxMean)
        }
    }
}
