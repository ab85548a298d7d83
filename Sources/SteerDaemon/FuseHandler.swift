// Fuse: the DPR head steers client-given user vectors with prompts (texts or, for a pooled head,
// sentence embeddings), row by row in passes of `fuseRowsPerPass`; with a prompt memory, each
// positive row mixed with its nearest training wordings, as Recommend steers a request.
import SteerDPR
import SteerPrompt
import SteerTransport
import SteerWire

extension SteerService {
    /// Request bound for Fuse: rows per request.
    static let maxFuseRows = 4_096
    /// Rows per head pass: bounds the [rows, L, E] prompt buffer (at most 64 × 256 tokens × 384
    /// floats ≈ 25 MB for MiniLM) and the token states held at once, however many rows a request brings.
    static let fuseRowsPerPass = 64

    /// Fuses B rows: `fused[b] = Tower_{polarity[b]}(user[b], prompt[b])`; with a prompt memory, a
    /// positive row is `PromptMemory.mix` of that and its neighbours' towers, so a client that
    /// pipelines Route → Fuse → Retrieve steers as Recommend does.
    func fuse(_ request: FuseRequest) async throws -> FuseResponse {
        let head = try steeringHead(servingModel())
        let d = head.config.dim, e = head.config.encoderDim, b = request.polarities.count
        guard b >= 1, b <= Self.maxFuseRows else {
            throw RPCError(.invalidArgument, "\(b) polarities: Fuse takes one per row, 1 to \(Self.maxFuseRows) rows")
        }
        guard request.dim == UInt32(d) else {
            throw RPCError(.invalidArgument, "dim = \(request.dim), but the loaded DPR head fuses \(d)-d user vectors")
        }
        guard request.userVectors.count == b * d else {
            throw RPCError(.invalidArgument, "\(request.userVectors.count) user_vectors values for \(b) rows of dim \(d); expected \(b * d)")
        }
        if let i = request.userVectors.firstIndex(where: { !$0.isFinite }) {
            throw RPCError(.invalidArgument, "user_vectors[\(i)] (row \(i / d)) is \(request.userVectors[i]); every value must be finite")
        }
        let polarities: [PromptPolarity] = try request.polarities.enumerated().map { i, polarity in
            switch polarity {
            case .positive: return .positive
            case .negative: return .negative
            case .unspecified:
                throw RPCError(.invalidArgument,
                               "the polarity of row \(i) is unspecified: Fuse needs positive or negative for every row (Route decides)")
            }
        }
        let source: PromptSource
        switch (request.promptEmbeddings.isEmpty, request.prompts.isEmpty) {
        case (false, false):
            throw RPCError(.invalidArgument, "send either prompts or prompt_embeddings, not both")
        case (true, true):
            throw RPCError(.invalidArgument, "no prompts: send prompts (texts, for any head) or prompt_embeddings (\(e)-d, pooled heads only)")
        case (false, true):
            guard head.config.keyValue == .pooled else {
                throw RPCError(.failedPrecondition, "the loaded DPR head attends over a prompt's token states, which a sentence embedding "
                    + "does not carry: send the texts in prompts instead of prompt_embeddings")
            }
            guard request.promptEmbeddings.count == b * e else {
                throw RPCError(.invalidArgument,
                               "\(request.promptEmbeddings.count) prompt_embeddings values for \(b) rows of encoder dim \(e); expected \(b * e)")
            }
            if let i = request.promptEmbeddings.firstIndex(where: { !$0.isFinite }) {
                throw RPCError(.invalidArgument,
                               "prompt_embeddings[\(i)] (row \(i / e)) is \(request.promptEmbeddings[i]); every value must be finite")
            }
            source = .embeddings(request.promptEmbeddings)
        case (true, false):
            guard request.prompts.count == b else {
                throw RPCError(.invalidArgument, "\(request.prompts.count) prompts for \(b) polarities; send one prompt per row")
            }
            let services = try promptServices(for: head)
            for (i, prompt) in request.prompts.enumerated() { try services.validate(prompt, at: i) }
            source = .texts(request.prompts, services)
        }

        var fused = [Float](repeating: 0, count: b * d)
        let workspace = DPRWorkspace(config: head.config)   // this request's own: forwards run concurrently
        // The memory, when steerd has one and its encoder reads this head's prompts (embeddings sent
        // by the client are looked up as they are: unit length, as EmbedPrompt gives them).
        let memory = self.prompts.flatMap { services in services.encoder.dimension == e ? services.memory.map { ($0, services) } : nil }
        var start = 0
        var slice = ComputeSlice()   // a large Fuse takes turns with other clients' work
        while start < b {
            let end = min(b, start + Self.fuseRowsPerPass)
            let (prompts, pooled) = try await source.batch(start..<end, mode: head.config.keyValue, width: e, slice: &slice)
            try await slice.yieldIfDue()   // the prompts are embedded; the head pass is next
            fused.withUnsafeMutableBufferPointer { out in
                request.userVectors.withUnsafeBufferPointer { user in
                    head.fuse(users: user.baseAddress! + start * d, prompts: prompts, polarities: Array(polarities[start..<end]),
                              workspace: workspace, into: out.baseAddress! + start * d)
                }
            }
            if let (memory, services) = memory {
                try await mixRequests(&fused, rows: start..<end, pooled: pooled, polarities: polarities, users: request.userVectors,
                                      head: head, memory: memory, services: services, workspace: workspace, slice: &slice)
            }
            start = end
        }
        if let bad = fused.firstIndex(where: { !$0.isFinite }) {
            // Every input was checked finite above, so the head overflowed Float on values too
            // large for it: the client's input, not a fault of steerd (one pass over B × d floats).
            let row = bad / d
            let largest = request.userVectors[(row * d)..<((row + 1) * d)].map { abs($0) }.max() ?? 0
            throw RPCError(.invalidArgument, "input out of range: the DPR head overflowed Float on row \(row) (its user vector's "
                + "largest magnitude is \(largest)); send user vectors and prompt embeddings of the scale the head works at "
                + "(what EncodeHistory and EmbedPrompt return)")
        }
        return FuseResponse(dim: UInt32(d), fused: fused)
    }

    /// The positive rows of `rows` mixed with their nearest training wordings (`PromptMemory`): all
    /// their neighbours in one more head pass from the rows' user vectors (`PromptMemory.mixRows`).
    /// `pooled[i]` is row `rows.lowerBound + i`'s sentence embedding.
    private func mixRequests(_ fused: inout [Float], rows: Range<Int>, pooled: [[Float]], polarities: [PromptPolarity], users: [Float],
                             head: DPRHead, memory: PromptMemory, services: PromptServices, workspace: DPRWorkspace,
                             slice: inout ComputeSlice) async throws {
        let d = head.config.dim
        var pairs: [(row: Int, weight: Float, prompt: DPRHead.PromptRows)] = []
        for row in rows where polarities[row] == .positive {
            for near in memory.neighbours(of: pooled[row - rows.lowerBound]) {
                try await slice.yieldIfDue()   // a neighbour not cached yet is one encoder pass
                let states = try services.tokenStates(near.text)
                let prompt = head.config.keyValue == .tokens ? DPRHead.PromptRows(values: states.values, rows: states.count)
                    : DPRHead.PromptRows(values: states.pooled, rows: 1)
                pairs.append((row, near.weight, prompt))
            }
        }
        PromptMemory.mixRows(&fused, from: users, dim: d, pairs: pairs) {
            head.requested(users: $0, prompts: $1, projected: false, workspace: workspace)
        }
    }
}

/// Where a batch of Fuse/Recommend prompts comes from: sentence embeddings the client sent, or
/// texts the daemon embeds (through the cache).
private enum PromptSource {
    case embeddings([Float])
    case texts([String], PromptServices)

    /// The encoder states of the prompts of `rows`, each as it is (the head pads them), and each
    /// prompt's sentence embedding (the prompt memory looks up neighbours by it).
    /// Encoder work yields its thread between prompts when `slice` is due (see `ComputeSlice`).
    /// - Throws: `RPCError(.internal)` when the encoder fails; `CancellationError`.
    func batch(_ rows: Range<Int>, mode: KeyValueMode, width e: Int, slice: inout ComputeSlice) async throws
        -> (prompts: [DPRHead.PromptRows], pooled: [[Float]]) {
        switch self {
        case .embeddings(let all):
            let pooled = rows.map { Array(all[($0 * e)..<(($0 + 1) * e)]) }
            return (pooled.map { DPRHead.PromptRows(values: $0, rows: 1) }, pooled)
        case .texts(let texts, let services):
            let chunk = Array(texts[rows])
            switch mode {
            case .pooled:
                let (flat, _) = try await services.embed(chunk, slice: &slice)
                guard flat.allSatisfy(\.isFinite) else { throw RPCError(.internal, "the encoder produced no embedding for some prompt") }
                let pooled = chunk.indices.map { Array(flat[($0 * e)..<(($0 + 1) * e)]) }
                return (pooled.map { DPRHead.PromptRows(values: $0, rows: 1) }, pooled)
            case .tokens:
                var prompts: [DPRHead.PromptRows] = []
                var pooled: [[Float]] = []
                for text in chunk {
                    try await slice.yieldIfDue()   // one encoder pass per prompt: yield or stop between them
                    let states = try services.tokenStates(text)
                    prompts.append(DPRHead.PromptRows(values: states.values, rows: states.count))
                    pooled.append(states.pooled)
                }
                return (prompts, pooled)
            }
        }
    }
}
