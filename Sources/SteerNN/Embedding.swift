// Embedding lookup (ids → rows of a table) and its scatter-add backward; a padding id maps to zeros.
//
// Legend for every file in this module: B batch, T time, C channels, V items/vocabulary,
// NH heads, H hidden, N = any flattened row count (often B·T), IC/OC input/output channels.

/// Gathers table rows: `out[n, :] = table[ids[n], :]`, or zeros where `ids[n] == paddingID`.
///
/// - Parameters:
///   - out: [N, C], overwritten.
///   - ids: [N], each in `0..<V` or equal to `paddingID`.
///   - table: [V, C].
///   - count: N.
///   - channels: C.
///   - paddingID: id whose rows are zero and receive no gradient (−1 when there is none).
public func embeddingForward(
    out: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int32>, table: UnsafePointer<Float>,
    count n: Int, channels c: Int, paddingID: Int32 = -1
) {
    // out[n, c] = id == pad ? 0 : table[ids[n], c]
    for row in 0..<n {
        let id = ids[row]
        let dst = out + row * c
        if id == paddingID { dst.update(repeating: 0, count: c) } else { dst.update(from: table + Int(id) * c, count: c) }
    }
}

/// Scatter-adds output gradients into the table gradient: `dTable[ids[n], :] += dOut[n, :]`.
///
/// Repeated ids accumulate; the padding id's row is never touched.
/// - Parameters:
///   - dTable: [V, C], accumulated into.
///   - dOut: [N, C].
///   - ids, count, channels, paddingID: as in ``embeddingForward(out:ids:table:count:channels:paddingID:)``.
public func embeddingBackward(
    dTable: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, ids: UnsafePointer<Int32>,
    count n: Int, channels c: Int, paddingID: Int32 = -1
) {
    // dTable[ids[n], c] += dOut[n, c]
    for row in 0..<n {
        let id = ids[row]
        if id == paddingID { continue }
        let dst = dTable + Int(id) * c, src = dOut + row * c
        for j in 0..<c { dst[j] += src[j] }
    }
}

/// Adds a learned position embedding to every sequence: `out[b, t, :] += wpe[t, :]`.
///
/// Positions are absolute indices `0..<T` of the (left-padded) window, as in SASRec; padded
/// rows get the position too, which is harmless because attention never reads them.
/// - Parameters:
///   - out: [B, T, C], accumulated into.
///   - wpe: [T, C] (at least T rows).
public func positionEmbeddingForward(
    out: UnsafeMutablePointer<Float>, wpe: UnsafePointer<Float>, batch b: Int, time t: Int, channels c: Int
) {
    // out[b, t, c] += wpe[t, c]
    for i in 0..<b { saxpy(t * c, 1, wpe, out + i * t * c) }
}

/// Backward of ``positionEmbeddingForward(out:wpe:batch:time:channels:)``: `dWpe[t, :] += Σ_b dOut[b, t, :]`.
public func positionEmbeddingBackward(
    dWpe: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, batch b: Int, time t: Int, channels c: Int
) {
    // dWpe[t, c] += sum_b dOut[b, t, c]
    for i in 0..<b { saxpy(t * c, 1, dOut + i * t * c, dWpe) }
}

/// Adds position embeddings counted from each sequence's first item, as RecBole's SASRec does
/// (its rows are right-padded, so `arange(T)` numbers the real items from 0): in a left-padded
/// batch, sequence b's j-th item, at t = T − L_b + j, gets `wpe[j, :]`; padded rows get nothing.
///
/// - Parameters:
///   - out: [B, T, C], accumulated into.
///   - wpe: [T, C] (at least T rows).
///   - lengths: [B], each sequence's real length (clamped to 0...T).
public func positionEmbeddingFromStartForward(
    out: UnsafeMutablePointer<Float>, wpe: UnsafePointer<Float>, lengths: UnsafePointer<Int32>,
    batch b: Int, time t: Int, channels c: Int
) {
    // out[b, T − L_b + j, c] += wpe[j, c]
    for i in 0..<b {
        let length = min(t, max(0, Int(lengths[i])))
        saxpy(length * c, 1, wpe, out + (i * t + t - length) * c)
    }
}

/// Backward of ``positionEmbeddingFromStartForward(out:wpe:lengths:batch:time:channels:)``:
/// `dWpe[j, :] += Σ_b dOut[b, T − L_b + j, :]`.
public func positionEmbeddingFromStartBackward(
    dWpe: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, lengths: UnsafePointer<Int32>,
    batch b: Int, time t: Int, channels c: Int
) {
    for i in 0..<b {
        let length = min(t, max(0, Int(lengths[i])))
        saxpy(length * c, 1, dOut + (i * t + t - length) * c, dWpe)
    }
}
