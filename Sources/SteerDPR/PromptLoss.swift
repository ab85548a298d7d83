// PromptLoss: temperature-scaled full-catalogue scoring of fused vectors and the target-set loss (eqs. 7–9).
import SteerNN

/// Per-row target sets in CSR form: row n's targets are `ids[offsets[n] ..< offsets[n + 1]]`.
///
/// A positive-prompt row has one target (drawn from its compliance list, re-drawn each epoch); a
/// negative-prompt row has the whole compliance list; an empty set ignores the row.
public struct TargetSets: Sendable, Hashable {
    /// [N + 1] offsets, `offsets[0] == 0`, non-decreasing.
    public private(set) var offsets: [Int32] = [0]
    /// The concatenated sets.
    public private(set) var ids: [Int32] = []

    /// No rows yet.
    public init() {}

    /// One row per set, in order.
    public init(_ sets: [[Int32]]) {
        for s in sets { append(s) }
    }

    /// Adds a row whose targets are `set` (duplicates count twice in the mean).
    public mutating func append(_ set: [Int32]) {
        ids += set
        offsets.append(Int32(ids.count))
    }

    /// Number of rows.
    public var rows: Int { offsets.count - 1 }
}

/// The DPR prompt loss and its gradients: `logits[n, v] = z[n] · items[v] / τ`,
/// `loss = mean over rows with targets of mean_{s ∈ T_n} (logsumexp_v logits[n] − logits[n, s])`.
///
/// Gradients are those of `gradScale · loss` (λ of eq. 10) and accumulate, so the caller can add the
/// sequential loss into the same `dItems` buffer.
/// - Parameters:
///   - z: [N, d] fused vectors from ``DPRHead``.
///   - dZ: [N, d] += ∂/∂z, or nil.
///   - items: [V, d] the backbone's item embeddings (row 0 may be padding; keep it out of every set).
///   - dItems: [V, d] += ∂/∂items (the backbone's item table is trained through the prompt loss too), or nil.
///   - targets: N rows of targets in `0..<V`.
///   - temperature: τ > 0.
///   - workspace: SteerNN's cross-entropy scratch sized for V and d.
/// - Returns: mean loss and the number of rows counted.
/// - Complexity: 6·N·V·d flops.
@discardableResult
public func promptLoss(
    z: UnsafePointer<Float>, dZ: UnsafeMutablePointer<Float>?, items: UnsafePointer<Float>, dItems: UnsafeMutablePointer<Float>?,
    targets: TargetSets, itemCount v: Int, dim d: Int, temperature: Float, gradScale: Float = 1,
    workspace: CrossEntropyWorkspace
) -> CrossEntropyResult {
    targets.offsets.withUnsafeBufferPointer { off in
        targets.ids.withUnsafeBufferPointer { ids in
            // An empty id array has no base address; any valid pointer works since no row reads it.
            softmaxCrossEntropy(hidden: z, dHidden: dZ, table: items, dTable: dItems, bias: nil, dBias: nil,
                                targetOffsets: off.baseAddress!, targetIDs: ids.baseAddress ?? off.baseAddress!,
                                rows: targets.rows, items: v, channels: d,
                                temperature: temperature, gradScale: gradScale, workspace: workspace)
        }
    }
}

/// Scores for retrieval: `out[n, v] = z[n] · items[v] / τ` (ranking ignores τ; it matters only for
/// calibrated probabilities).
/// - Parameters:
///   - out: [N, V], overwritten.
///   - z: [N, d]. items: [V, d].
public func promptScores(out: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, items: UnsafePointer<Float>,
                         rows n: Int, itemCount v: Int, dim d: Int, temperature: Float = 1) {
    precondition(temperature > 0, "temperature must be positive, got \(temperature)")
    // out[n, v] = sum_c z[n, c] * items[v, c]
    linearForward(out: out, inp: z, weight: items, bias: nil, rows: n, inChannels: d, outChannels: v)
    if temperature != 1 { scale(out, count: n * v, by: 1 / temperature) }
}
