// Inverted dropout: a seeded mask scaled by 1/(1−p) at training time, forward and backward.

/// Draws a dropout mask: `mask[i] = 1/(1−p)` with probability 1−p, else 0.
///
/// Separate from the forward pass so attention can reuse it and tests can fix a mask.
/// - Parameters:
///   - mask: [count], overwritten.
///   - p: drop probability in [0, 1).
public func dropoutMask(_ mask: UnsafeMutablePointer<Float>, count n: Int, p: Float, rng: inout RNG) {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    let scale = 1 / (1 - p)
    // Compare 24-bit integers so one draw decides one element with no float rounding at the edge.
    let threshold = UInt64(Double(p) * 16_777_216.0)
    for i in 0..<n { mask[i] = (rng.next() >> 40) >= threshold ? scale : 0 }
}

/// `out[i] = inp[i] · mask[i]` with a fresh mask drawn from `rng`; `out` may alias `inp`.
///
/// - Parameters:
///   - out, inp: [count].
///   - mask: [count], overwritten and saved for backward.
///   - p: drop probability; with p == 0 the mask is all ones and `out` is a copy.
public func dropoutForward(
    out: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
    count n: Int, p: Float, rng: inout RNG
) {
    dropoutMask(mask, count: n, p: p, rng: &rng)
    dropoutApply(out: out, mask: mask, inp: inp, count: n)
}

/// `out[i] = inp[i] · mask[i]` with a given mask (the deterministic half of dropout).
public func dropoutApply(out: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
    // out[i] = inp[i] * mask[i]
    for i in 0..<n { out[i] = inp[i] * mask[i] }
}

/// Backward of dropout: `dInp[i] += dOut[i] · mask[i]` (accumulates).
public func dropoutBackward(dInp: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, mask: UnsafePointer<Float>, count n: Int) {
    // dInp[i] += dOut[i] * mask[i]
    for i in 0..<n { dInp[i] += dOut[i] * mask[i] }
}
