// Elementwise helpers: residual add, accumulate, scale, copy, zero (the glue between ops).

/// `out[i] = a[i] + b[i]`; `out` may alias `a` or `b`.
public func residualForward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count n: Int) {
    // out[i] = a[i] + b[i]
    for i in 0..<n { out[i] = a[i] + b[i] }
}

/// Backward of ``residualForward(out:a:b:count:)``: `dA += dOut`, `dB += dOut` (accumulates).
public func residualBackward(dA: UnsafeMutablePointer<Float>, dB: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, count n: Int) {
    // dA[i] += dOut[i]; dB[i] += dOut[i]
    for i in 0..<n { dA[i] += dOut[i]; dB[i] += dOut[i] }
}

/// `dst[i] += alpha · src[i]` (BLAS saxpy).
public func accumulate(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count n: Int, alpha: Float = 1) {
    saxpy(n, alpha, src, dst)
}

/// `x[i] *= alpha` in place (e.g. SASRec's √C embedding scale; its backward is the same call on the gradient).
public func scale(_ x: UnsafeMutablePointer<Float>, count n: Int, by alpha: Float) {
    for i in 0..<n { x[i] *= alpha }
}

/// `x[0..<n] = 0`.
public func zero(_ x: UnsafeMutablePointer<Float>, count n: Int) { x.update(repeating: 0, count: n) }

/// Zeroes the rows of left-padded sequences: `x[b, t, :] = 0` for `t < T − lengths[b]`.
///
/// Keeps padded positions exactly zero after ops (layer norm, biases) that would otherwise
/// make them non-zero; also the backward (apply it to the gradient).
public func zeroPaddedRows(
    _ x: UnsafeMutablePointer<Float>, lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int
) {
    for i in 0..<b {
        let pad = t - min(t, max(0, Int(lengths[i])))
        (x + i * t * c).update(repeating: 0, count: pad * c)
    }
}
