// Full-catalogue softmax cross-entropy fused with its backward, a chunk of rows at a time.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Why fused and chunked: N = B·T rows × V items of logits (25 600 × 3 706 floats = 380 MB for an
// ML-1M batch) never exist at once. Each chunk of ≤ `chunkRows` rows is scored with one sgemm,
// turned into dlogits in place, and folded into dHidden and dTable with two more sgemms.
// Ignored rows are skipped before scoring, so left padding costs nothing.

/// Scratch for ``softmaxCrossEntropy(hidden:dHidden:table:dTable:bias:dBias:targets:rows:items:channels:temperature:gradScale:workspace:)``:
/// a chunk of logits and the gathered rows. Reuse one per thread.
public final class CrossEntropyWorkspace {
    /// Rows scored per chunk; the logits buffer is `chunkRows × items` floats.
    public let chunkRows: Int
    /// V, the item count this workspace was sized for.
    public let items: Int
    /// C, the channel count this workspace was sized for.
    public let channels: Int
    let logits: FloatBuffer      // [chunk, V]
    let hidden: FloatBuffer      // [chunk, C] gathered rows
    let dHidden: FloatBuffer     // [chunk, C]
    let rowIndex: UnsafeMutablePointer<Int>  // [chunk] source row of each gathered row

    /// A workspace scoring `chunkRows` rows of `items` logits at a time.
    public init(items: Int, channels: Int, chunkRows: Int) {
        precondition(items > 0 && channels > 0 && chunkRows > 0, "CrossEntropyWorkspace sizes must be positive")
        self.items = items
        self.channels = channels
        self.chunkRows = chunkRows
        logits = FloatBuffer(count: chunkRows * items)
        hidden = FloatBuffer(count: chunkRows * channels)
        dHidden = FloatBuffer(count: chunkRows * channels)
        rowIndex = .allocate(capacity: chunkRows)
    }

    /// A workspace whose logits chunk stays within `maxLogitBytes` (at least one row).
    public convenience init(items: Int, channels: Int, maxLogitBytes: Int) {
        self.init(items: items, channels: channels, chunkRows: max(1, maxLogitBytes / (4 * max(items, 1))))
    }

    deinit { rowIndex.deallocate() }
}

/// The outcome of one cross-entropy call.
public struct CrossEntropyResult: Sendable, Equatable {
    /// Mean loss over the counted rows (0 when none).
    public var loss: Float
    /// Rows with at least one target (the divisor of the mean).
    public var rows: Int
}

/// Mean softmax cross-entropy of `hidden` against every item, with its gradients, one target per row.
///
/// `logits[n, v] = hidden[n] · table[v] / τ + bias[v]`, `loss = mean_n (logsumexp_v logits[n] − logits[n, targets[n]])`
/// over rows with `targets[n] ≥ 0`. Gradients are those of `gradScale · loss` and accumulate.
/// - Parameters:
///   - hidden: [N, C]. dHidden: [N, C] or nil (no gradients at all are computed when all three are nil).
///   - table: [V, C] item embeddings. dTable: [V, C] or nil.
///   - bias: [V] or nil. dBias: [V] or nil.
///   - targets: [N], an item in `0..<V` or −1 to ignore the row.
///   - temperature: τ > 0 (1 for the plain backbone loss).
///   - gradScale: multiplies every gradient (e.g. λ of the prompt loss).
///   - workspace: sized for V and C; its `chunkRows` bounds memory, not results.
/// - Complexity: 6·N·V·C flops in sgemm plus N·V exponentials.
public func softmaxCrossEntropy(
    hidden: UnsafePointer<Float>, dHidden: UnsafeMutablePointer<Float>?,
    table: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>?,
    bias: UnsafePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
    targets: UnsafePointer<Int32>, rows n: Int, items v: Int, channels c: Int,
    temperature: Float = 1, gradScale: Float = 1, workspace: CrossEntropyWorkspace
) -> CrossEntropyResult {
    crossEntropyCore(hidden: hidden, dHidden: dHidden, table: table, dTable: dTable, bias: bias, dBias: dBias,
                     targetsOf: { r in targets[r] >= 0 ? (targets + r, 1) : (targets, 0) },
                     n: n, v: v, c: c, tau: temperature, gradScale: gradScale, ws: workspace)
}

/// Mean softmax cross-entropy with a target *set* per row (the paper's eq. 9, e.g. negative prompts).
///
/// Row n's loss is the mean over its targets `S_n` of `logsumexp(logits[n]) − logits[n, s]`; rows
/// with an empty set are ignored; the result is the mean over the other rows. Everything else is as
/// in the single-target form.
/// - Parameters:
///   - targetOffsets: [N + 1] CSR offsets, non-decreasing, `targetOffsets[0] == 0`.
///   - targetIDs: the concatenated sets, `targetIDs[targetOffsets[n] ..< targetOffsets[n + 1]]` ⊂ `0..<V`.
public func softmaxCrossEntropy(
    hidden: UnsafePointer<Float>, dHidden: UnsafeMutablePointer<Float>?,
    table: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>?,
    bias: UnsafePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
    targetOffsets: UnsafePointer<Int32>, targetIDs: UnsafePointer<Int32>, rows n: Int, items v: Int, channels c: Int,
    temperature: Float = 1, gradScale: Float = 1, workspace: CrossEntropyWorkspace
) -> CrossEntropyResult {
    crossEntropyCore(hidden: hidden, dHidden: dHidden, table: table, dTable: dTable, bias: bias, dBias: dBias,
                     targetsOf: { r in
                         let lo = Int(targetOffsets[r]), hi = Int(targetOffsets[r + 1])
                         return (targetIDs + lo, max(0, hi - lo))
                     },
                     n: n, v: v, c: c, tau: temperature, gradScale: gradScale, ws: workspace)
}

@inline(__always)
private func crossEntropyCore(
    hidden: UnsafePointer<Float>, dHidden: UnsafeMutablePointer<Float>?,
    table: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>?,
    bias: UnsafePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
    targetsOf: (Int) -> (UnsafePointer<Int32>, Int),
    n: Int, v: Int, c: Int, tau: Float, gradScale: Float, ws: CrossEntropyWorkspace
) -> CrossEntropyResult {
    precondition(ws.items >= v && ws.channels >= c, "CrossEntropyWorkspace is sized for V=\(ws.items), C=\(ws.channels); got V=\(v), C=\(c)")
    precondition(tau > 0, "temperature must be positive, got \(tau)")
    var counted = 0
    for r in 0..<n where targetsOf(r).1 > 0 { counted += 1 }
    guard counted > 0 else { return CrossEntropyResult(loss: 0, rows: 0) }
    let wantGrad = dHidden != nil || dTable != nil || dBias != nil
    let g = gradScale / Float(counted)
    let invTau = 1 / tau
    let logits = ws.logits.ptr, hid = ws.hidden.ptr, dHid = ws.dHidden.ptr, rowIndex = ws.rowIndex
    var lossSum: Double = 0
    var cursor = 0
    while cursor < n {
        // Gather the next ≤ chunkRows counted rows.
        var m = 0
        while cursor < n && m < ws.chunkRows {
            if targetsOf(cursor).1 > 0 {
                rowIndex[m] = cursor
                (hid + m * c).update(from: hidden + cursor * c, count: c)
                m += 1
            }
            cursor += 1
        }
        if m == 0 { break }
        // logits[m, v] = hid[m] . table[v] / tau + bias[v]
        if let bias { for i in 0..<m { (logits + i * v).update(from: bias, count: v) } }
        sgemm(transA: false, transB: true, m: m, n: v, k: c, alpha: invTau, a: hid, lda: c, b: table, ldb: c,
              beta: bias == nil ? 0 : 1, c: logits, ldc: v)
        for i in 0..<m {
            let row = logits + i * v
            let (ids, count) = targetsOf(rowIndex[i])
            let mx = rowMax(row, v)
            var targetSum: Float = 0
            for s in 0..<count {
                let id = Int(ids[s])
                precondition(id >= 0 && id < v, "target \(id) outside 0..<\(v)")
                targetSum += row[id]
            }
            let sum = expShiftSum(row, v, shift: mx)
            // loss_n = logsumexp - mean of target logits
            lossSum += Double(mx + logf(sum) - targetSum / Float(count))
            guard wantGrad else { continue }
            // dlogits[n, v] = g * (softmax[n, v] - (1/|S_n|) * #{s in S_n : s == v})
            let pScale = g / sum
            scaleRow(row, v, pScale)
            let each = g / Float(count)
            for s in 0..<count { row[Int(ids[s])] -= each }
        }
        guard wantGrad else { continue }
        if let dHidden {
            // dHidden[n] += sum_v dlogits[n, v] * table[v] / tau
            sgemm(transA: false, transB: false, m: m, n: c, k: v, alpha: invTau, a: logits, lda: v, b: table, ldb: c,
                  beta: 0, c: dHid, ldc: c)
            for i in 0..<m { saxpy(c, 1, dHid + i * c, dHidden + rowIndex[i] * c) }
        }
        if let dTable {
            // dTable[v] += sum_n dlogits[n, v] * hid[n] / tau
            sgemm(transA: true, transB: false, m: v, n: c, k: m, alpha: invTau, a: logits, lda: v, b: hid, ldb: c,
                  beta: 1, c: dTable, ldc: c)
        }
        if let dBias {
            // dBias[v] += sum_n dlogits[n, v]
            for i in 0..<m { saxpy(v, 1, logits + i * v, dBias) }
        }
    }
    return CrossEntropyResult(loss: Float(lossSum / Double(counted)), rows: counted)
}
