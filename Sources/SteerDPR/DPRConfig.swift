// DPRConfig: the shape and options of a DPR head (projector + fusion towers), with defaults and validation.

/// Which fusion tower a row goes through (paper §3.2.3, the "MoE" routing indicator r).
///
/// Kept separate from SteerPrompt's `Polarity` so this module depends on SteerNN only;
/// map one to the other by case name.
public enum PromptPolarity: UInt8, Sendable, Hashable, Codable, CaseIterable {
    /// "I want X": boost what matches.
    case positive = 0
    /// "Not X": suppress what matches.
    case negative = 1
}

/// How many fusion towers the head has.
public enum TowerLayout: String, Sendable, Hashable, Codable, CaseIterable {
    /// One tower per polarity (the paper's MoE tower; default).
    case two
    /// One tower for both polarities (the ablation of paper §5.3).
    case single
}

/// What the cross-attention attends over.
public enum KeyValueMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// One projected vector per prompt (K/V length 1): the attention weight is trivially 1 and the
    /// query is ignored, so W_q and W_k are not even allocated. The paper-literal "naive" head.
    case pooled
    /// The prompt's projected token states [L, d] with a length mask: the user vector chooses
    /// which words matter ("light" vs "kids"), so the update depends on the user.
    case tokens
}

/// Where layer norms sit inside a tower.
public enum NormPlacement: String, Sendable, Hashable, Codable, CaseIterable {
    /// No layer norm (paper-literal equations 4–6).
    case none
    /// LN on the query input, on the key/value memory and on the FFN input; the residual stream
    /// itself is never normalised, so `z = h_u + …` stays an additive edit of the user vector.
    /// (Post-LN is not offered: `LN(h_u + …)` would rescale the user vector, whose norm carries the
    /// backbone's ranking confidence, and would break identity-at-init.)
    case preLN
}

/// How the two residual updates of a tower are scaled.
public enum ResidualGate: Sendable, Hashable, Codable {
    /// `h' = h + MHCA(…)`, `z = h' + FFN(h')` exactly as the paper writes them.
    case none
    /// LayerScale (Touvron et al., CaiT): a learned per-channel vector γ on each update,
    /// `h' = h + γ_a ⊙ MHCA(…)`, `z = h' + γ_f ⊙ FFN(…)`, every entry initialised to `initial`.
    /// A small `initial` makes the head start as (almost) the identity, so the prompt loss starts
    /// from the backbone's own ranking and fine-tuning the backbone through the head is gentle.
    /// `initial: 0` is ReZero-style (exact identity; the first step only moves γ).
    case layerScale(initial: Float)
}

/// Configuration of a ``DPRHead``. Shapes use the legend d backbone dim, E encoder dim,
/// P projector hidden size, F tower FFN size, NH heads.
public struct DPRConfig: Sendable, Hashable, Codable {
    /// d: the backbone's user/item vector size.
    public var dim: Int
    /// E: the sentence encoder's output size (384 for all-MiniLM-L6-v2, 768 for all-mpnet-base-v2).
    public var encoderDim: Int
    /// P: hidden size of the projector MLP `W2·GELU(W1·s + b1) + b2`.
    public var projectorHidden: Int
    /// NH: attention heads; must divide `dim`.
    public var heads: Int
    /// F: hidden size of each tower's FFN.
    public var ffnDim: Int
    /// One tower per polarity or one shared tower.
    public var towers: TowerLayout
    /// Pooled prompt vector or token states as key/value.
    public var keyValue: KeyValueMode
    /// Layer-norm placement inside a tower.
    public var norm: NormPlacement
    /// Scaling of the residual updates.
    public var gate: ResidualGate
    /// Dropout probability on each residual update (before the gate) while training.
    public var dropout: Float

    /// A configuration; every default is explained in the parameter list.
    ///
    /// - Parameters:
    ///   - dim: d, the backbone dimension (required).
    ///   - encoderDim: E; 384 matches the default MiniLM encoder.
    ///   - projectorHidden: P; nil means 4·d (256 for d = 64: wide enough to carry a 384-d sentence
    ///     embedding through one GELU without a bottleneck tighter than d itself).
    ///   - heads: NH; 2 (32-d heads at d = 64, as RecBole's SASRec).
    ///   - ffnDim: F; nil means 4·d (the transformer convention).
    ///   - towers: `.two`, the paper's MoE (positive and negative steering pull in opposite directions).
    ///   - keyValue: `.tokens`, because with one pooled vector the attention is a constant and the
    ///     head degenerates into "add a prompt-dependent offset" (a naive head of that kind, genre
    ///     stage only, did not beat Filter in an external cross-check of the protocol). Needs the encoder's token states; use `.pooled` when only sentence
    ///     embeddings are at hand.
    ///   - norm: `.preLN`: backbone vectors (LN'd SASRec outputs, tanh-bounded GRU states) and
    ///     projected prompts live at unrelated scales; normalising the branch inputs keeps the
    ///     attention logits well-conditioned without touching the residual stream.
    ///   - gate: `.layerScale(initial: 0.01)`: the head starts within ~1% of the identity (SEQ
    ///     behaviour intact at step 0) yet every weight gets a gradient from the first step; Adam's
    ///     per-parameter normalisation makes the small γ cost no learning speed inside the branch.
    ///   - dropout: 0.1 on each residual update.
    public init(
        dim: Int, encoderDim: Int = 384, projectorHidden: Int? = nil, heads: Int = 2, ffnDim: Int? = nil,
        towers: TowerLayout = .two, keyValue: KeyValueMode = .tokens, norm: NormPlacement = .preLN,
        gate: ResidualGate = .layerScale(initial: 0.01), dropout: Float = 0.1
    ) {
        self.dim = dim
        self.encoderDim = encoderDim
        self.projectorHidden = projectorHidden ?? 4 * dim
        self.heads = heads
        self.ffnDim = ffnDim ?? 4 * dim
        self.towers = towers
        self.keyValue = keyValue
        self.norm = norm
        self.gate = gate
        self.dropout = dropout
    }

    /// Number of towers (2 or 1).
    public var towerCount: Int { towers == .two ? 2 : 1 }

    /// The tower a row of polarity `p` is routed to.
    @inline(__always)
    public func tower(for p: PromptPolarity) -> Int { towers == .two ? Int(p.rawValue) : 0 }

    /// Checks every field; fails fast naming the bad value and the allowed range.
    /// - Throws: ``DPRError``.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw DPRError("DPR config: " + message()) }
        }
        try check(dim > 0, "dim must be positive, got \(dim)")
        try check(encoderDim > 0, "encoderDim must be positive, got \(encoderDim)")
        try check(projectorHidden > 0, "projectorHidden must be positive, got \(projectorHidden)")
        try check(ffnDim > 0, "ffnDim must be positive, got \(ffnDim)")
        try check(heads > 0 && dim % heads == 0, "heads must be positive and divide dim \(dim), got \(heads)")
        try check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got \(dropout)")
        if case .layerScale(let g) = gate { try check(g.isFinite, "layerScale initial must be finite, got \(g)") }
    }
}

/// An error of the DPR head (bad config, bad input shape, bad archive), with a message saying
/// what was expected.
public struct DPRError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and where.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
