// Causal multi-head self-attention over left-padded sequences, one sgemm per (batch, head).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Layout: q, k, v are [B, T, C] views with row stride `ld` (3C for a packed qkv [B,T,3C] whose
// rows are [q | k | v], C for separate tensors); head h owns channels [h·hs, (h+1)·hs), hs = C/NH.
// Sequences are LEFT-padded: sequence b of length L_b has real positions p0 = T − L_b ..< T.
// Only the L_b × L_b block of each (b, h) is multiplied, so short sequences cost little;
// padded query rows give zero output, padded keys get zero probability.

/// Scaled dot-product attention, causal plus key padding, on a packed `qkv` [B, T, 3C].
///
/// `att[b,h,t,j] = softmax_j≤t, j≥p0(q[b,t,h]·k[b,j,h] / √hs)`, `out[b,t,h] = Σ_j att[b,h,t,j] · v[b,j,h]`.
/// - Parameters:
///   - out: [B, T, C], overwritten; rows t < p0 are zero.
///   - att: [B, NH, T, T], overwritten with the probabilities (saved for backward); zero outside
///     the causal, unpadded region.
///   - qkv: [B, T, 3C].
///   - lengths: [B], real length of each sequence (clamped to 0...T).
/// - Complexity: per (b, h) three L_b×L_b×hs matmuls; memory B·NH·T² floats for `att`.
public func attentionForward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int, heads nh: Int
) {
    attentionForwardCore(out: out, att: att, attDropped: nil, p: 0, rng: nil,
                         q: qkv, k: qkv + c, v: qkv + 2 * c, ld: 3 * c, lengths: lengths, b: b, t: t, c: c, nh: nh)
}

/// ``attentionForward(out:att:qkv:lengths:batch:time:channels:heads:)`` with dropout on the
/// probabilities (RecBole's `attn_dropout_prob`).
///
/// - Parameters:
///   - attDropped: [B, NH, T, T], overwritten with `att · mask` (mask 0 or 1/(1−p)); saved for backward.
///   - dropout: drop probability p in [0, 1).
///   - rng: source of the mask.
public func attentionForward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, attDropped: UnsafeMutablePointer<Float>,
    qkv: UnsafePointer<Float>, lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int, heads nh: Int,
    dropout p: Float, rng: inout RNG
) {
    precondition(p >= 0 && p < 1, "attention dropout must be in [0, 1), got \(p)")
    withUnsafeMutablePointer(to: &rng) { r in
        attentionForwardCore(out: out, att: att, attDropped: attDropped, p: p, rng: r,
                             q: qkv, k: qkv + c, v: qkv + 2 * c, ld: 3 * c, lengths: lengths, b: b, t: t, c: c, nh: nh)
    }
}

/// Backward of attention on a packed qkv; accumulates into `dqkv`.
///
/// - Parameters:
///   - dqkv: [B, T, 3C], accumulated into.
///   - scratch: [T, T] floats, clobbered (one (b, h) block at a time).
///   - dOut: [B, T, C].
///   - qkv, att, lengths: as saved by the forward pass.
///   - attDropped: the forward's `attDropped` when it ran with dropout, else nil.
///   - dropout: the forward's p (ignored when `attDropped` is nil).
public func attentionBackward(
    dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
    qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, attDropped: UnsafePointer<Float>? = nil, dropout p: Float = 0,
    lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int, heads nh: Int
) {
    attentionBackwardCore(dq: dqkv, dk: dqkv + c, dv: dqkv + 2 * c, scratch: scratch, dOut: dOut,
                          q: qkv, k: qkv + c, v: qkv + 2 * c, ld: 3 * c, att: att, attDropped: attDropped, p: p,
                          lengths: lengths, b: b, t: t, c: c, nh: nh)
}

/// Attention on separate q, k, v tensors, each [B, T, C] (same semantics as the packed form).
public func attentionForward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int, heads nh: Int
) {
    attentionForwardCore(out: out, att: att, attDropped: nil, p: 0, rng: nil,
                         q: q, k: k, v: v, ld: c, lengths: lengths, b: b, t: t, c: c, nh: nh)
}

/// Backward of attention on separate q, k, v; accumulates into dq, dk, dv (each [B, T, C]).
public func attentionBackward(
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, att: UnsafePointer<Float>,
    lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int, heads nh: Int
) {
    attentionBackwardCore(dq: dq, dk: dk, dv: dv, scratch: scratch, dOut: dOut, q: q, k: k, v: v, ld: c,
                          att: att, attDropped: nil, p: 0, lengths: lengths, b: b, t: t, c: c, nh: nh)
}

/// Attention for the last position of each sequence only: what
/// ``attentionForward(out:att:qkv:lengths:batch:time:channels:heads:)`` writes at row T − 1, for
/// one query per sequence instead of T. For inference of a model whose output is the last
/// position's (SASRec's user vector), the last block needs nothing else from attention.
///
/// `out[b, h] = Σ_{j ≥ p0} softmax_j(q[b, T−1, h] · k[b, j, h] / √hs) · v[b, j, h]` on a packed `qkv` [B, T, 3C].
/// - Parameters:
///   - out: [B, C], overwritten; zero for an empty sequence.
///   - scores: T floats of scratch.
/// - Complexity: per (b, h) two L_b × hs products, against three L_b × L_b × hs for every position.
public func lastQueryAttentionForward(
    out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    lengths: UnsafePointer<Int32>, batch b: Int, time t: Int, channels c: Int, heads nh: Int
) {
    precondition(nh > 0 && c % nh == 0, "channels \(c) must be divisible by heads \(nh)")
    let hs = c / nh, ld = 3 * c
    let scale = 1 / sqrtf(Float(hs))
    for bi in 0..<b {
        let len = realLength(lengths, bi, t), p0 = t - len
        guard len > 0 else {
            (out + bi * c).update(repeating: 0, count: c)
            continue
        }
        for h in 0..<nh {
            let first = (bi * t + p0) * ld + h * hs           // position p0's q of head h
            let last = (bi * t + t - 1) * ld + h * hs         // position T − 1's
            // scores[j] = q[T−1] · k[j] / √hs, j in p0..<T
            sgemm(transA: false, transB: true, m: 1, n: len, k: hs, alpha: scale, a: qkv + last, lda: ld,
                  b: qkv + c + first, ldb: ld, beta: 0, c: scores, ldc: len)
            let mx = rowMax(scores, len)
            let sum = expShiftSum(scores, len, shift: mx)
            scaleRow(scores, len, 1 / sum)
            // out[b, h] = Σ_j scores[j] · v[j]
            sgemm(transA: false, transB: false, m: 1, n: hs, k: len, alpha: 1, a: scores, lda: len,
                  b: qkv + 2 * c + first, ldb: ld, beta: 0, c: out + bi * c + h * hs, ldc: c)
        }
    }
}

@inline(__always)
private func realLength(_ lengths: UnsafePointer<Int32>, _ i: Int, _ t: Int) -> Int { min(t, max(0, Int(lengths[i]))) }

private func attentionForwardCore(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, attDropped: UnsafeMutablePointer<Float>?,
    p: Float, rng: UnsafeMutablePointer<RNG>?,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, ld: Int,
    lengths: UnsafePointer<Int32>, b: Int, t: Int, c: Int, nh: Int
) {
    precondition(nh > 0 && c % nh == 0, "channels \(c) must be divisible by heads \(nh)")
    let hs = c / nh
    let scale = 1 / sqrtf(Float(hs))
    let keep = 1 / (1 - p)
    let threshold = UInt64(Double(p) * 16_777_216.0)
    for bi in 0..<b {
        let len = realLength(lengths, bi, t), p0 = t - len
        (out + bi * t * c).update(repeating: 0, count: p0 * c)
        for h in 0..<nh {
            let a = att + (bi * nh + h) * t * t
            a.update(repeating: 0, count: t * t)
            let ad = attDropped.map { $0 + (bi * nh + h) * t * t }
            ad?.update(repeating: 0, count: t * t)
            guard len > 0 else { continue }
            let qo = (bi * t + p0) * ld + h * hs
            // a[t, j] = q[b, t, h] . k[b, j, h] / sqrt(hs), for t, j in p0..<T
            sgemm(transA: false, transB: true, m: len, n: len, k: hs, alpha: scale, a: q + qo, lda: ld,
                  b: k + qo, ldb: ld, beta: 0, c: a + p0 * t + p0, ldc: t)
            // a[t, j] = softmax over j in p0...t (causal); j > t set to zero
            for i in p0..<t {
                let row = a + i * t
                let span = i - p0 + 1
                let mx = rowMax(row + p0, span)
                let sum = expShiftSum(row + p0, span, shift: mx)
                scaleRow(row + p0, span, 1 / sum)
                (row + i + 1).update(repeating: 0, count: t - 1 - i)
                if let ad, let rng {
                    // ad[t, j] = a[t, j] * mask, mask in {0, 1/(1-p)}
                    let drow = ad + i * t
                    for j in p0...i { drow[j] = (rng.pointee.next() >> 40) >= threshold ? row[j] * keep : 0 }
                }
            }
            let probs = UnsafePointer(ad ?? a)
            // out[b, t, h] = sum_j probs[t, j] * v[b, j, h]
            sgemm(transA: false, transB: false, m: len, n: hs, k: len, alpha: 1, a: probs + p0 * t + p0, lda: t,
                  b: v + qo, ldb: ld, beta: 0, c: out + (bi * t + p0) * c + h * hs, ldc: c)
        }
    }
}

private func attentionBackwardCore(
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, ld: Int,
    att: UnsafePointer<Float>, attDropped: UnsafePointer<Float>?, p: Float,
    lengths: UnsafePointer<Int32>, b: Int, t: Int, c: Int, nh: Int
) {
    let hs = c / nh
    let scale = 1 / sqrtf(Float(hs))
    let keep = 1 / (1 - p)
    for bi in 0..<b {
        let len = realLength(lengths, bi, t), p0 = t - len
        guard len > 0 else { continue }
        for h in 0..<nh {
            let a = att + (bi * nh + h) * t * t + p0 * t + p0          // [len, len] block, ld T
            let ad = attDropped.map { $0 + (bi * nh + h) * t * t + p0 * t + p0 }
            let qo = (bi * t + p0) * ld + h * hs
            let dOutBlock = dOut + (bi * t + p0) * c + h * hs
            // dP[t, j] = dOut[b, t, h] . v[b, j, h]   (scratch, [len, len], ld len)
            sgemm(transA: false, transB: true, m: len, n: len, k: hs, alpha: 1, a: dOutBlock, lda: c,
                  b: v + qo, ldb: ld, beta: 0, c: scratch, ldc: len)
            // dv[b, j, h] += sum_t probs[t, j] * dOut[b, t, h]
            sgemm(transA: true, transB: false, m: len, n: hs, k: len, alpha: 1, a: ad ?? a, lda: t,
                  b: dOutBlock, ldb: c, beta: 1, c: dv + qo, ldc: ld)
            // dS[t, j] = P[t, j] * (dP[t, j] - sum_j' dP[t, j'] P[t, j']) / sqrt(hs), j <= t
            for i in 0..<len {
                let pr = a + i * t, dp = scratch + i * len
                if let ad {
                    // Dropout: dP = dP' * mask, with the mask read back from the kept probabilities.
                    let dr = ad + i * t
                    for j in 0...i { dp[j] = dr[j] != 0 ? dp[j] * keep : 0 }
                }
                var dot: Float = 0
                for j in 0...i { dot += dp[j] * pr[j] }
                for j in 0...i { dp[j] = pr[j] * (dp[j] - dot) * scale }
                (dp + i + 1).update(repeating: 0, count: len - 1 - i)
            }
            // dq[b, t, h] += sum_j dS[t, j] * k[b, j, h]
            sgemm(transA: false, transB: false, m: len, n: hs, k: len, alpha: 1, a: scratch, lda: len,
                  b: k + qo, ldb: ld, beta: 1, c: dq + qo, ldc: ld)
            // dk[b, j, h] += sum_t dS[t, j] * q[b, t, h]
            sgemm(transA: true, transB: false, m: len, n: hs, k: len, alpha: 1, a: scratch, lda: len,
                  b: q + qo, ldb: ld, beta: 1, c: dk + qo, ldc: ld)
        }
    }
}
