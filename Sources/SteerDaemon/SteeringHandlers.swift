// Fuse and Recommend: the DPR head steers user vectors with prompts; Recommend runs the whole
// path (backbone → prompt → router → head → exact top-K) in one call.
import SteerDPR
import SteerIndex
import SteerPlugins
import SteerPrompt
import SteerTransport
import SteerWire

extension SteerService {
    /// Request bound for Fuse: rows per request.
    static let maxFuseRows = 4_096
    /// Rows per head pass: bounds the [rows, L, E] prompt buffer (at most 64 × 256 tokens × 384
    /// floats ≈ 25 MB for MiniLM) and the token states held at once, however many rows a request brings.
    static let fuseRowsPerPass = 64

    private static let headFix = "load a checkpoint written by steer train-dpr (steer load-backbone NAME --checkpoint FILE)"

    /// The active backbone's head, or FAILED_PRECONDITION saying how to get one.
    private func steeringHead(_ model: ServingModel) throws -> DPRHead {
        guard let backbone = model.backbone else {
            throw RPCError(.failedPrecondition, "no backbone is loaded, so there is no DPR head to fuse with: \(Self.headFix)")
        }
        guard let head = model.head else {
            throw RPCError(.failedPrecondition,
                           "backbone \(backbone.info.name) was loaded without a DPR head, so prompts cannot steer it: \(Self.headFix)")
        }
        return head
    }

    /// The encoder services, checked against the head's prompt width.
    private func promptServices(for head: DPRHead) throws -> PromptServices {
        guard let services = prompts else {
            throw RPCError(.failedPrecondition,
                           "no sentence encoder is loaded to embed prompts: \(promptProblem ?? "start steerd with --encoder DIR")")
        }
        guard services.encoder.dimension == head.config.encoderDim else {
            throw RPCError(.failedPrecondition, "the DPR head reads \(head.config.encoderDim)-d prompts but encoder "
                + "\(services.encoder.name) gives \(services.encoder.dimension)-d ones")
        }
        return services
    }

    /// Fuses B rows: `fused[b] = Tower_{polarity[b]}(user[b], prompt[b])`.
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
        var start = 0
        var slice = ComputeSlice()   // a large Fuse takes turns with other clients' work
        while start < b {
            let end = min(b, start + Self.fuseRowsPerPass)
            let prompts = try await source.batch(start..<end, mode: head.config.keyValue, width: e, slice: &slice)
            try await slice.yieldIfDue()   // the prompts are embedded; the head pass is next
            fused.withUnsafeMutableBufferPointer { out in
                request.userVectors.withUnsafeBufferPointer { user in
                    head.fuse(users: user.baseAddress! + start * d, prompts: prompts, polarities: Array(polarities[start..<end]),
                              workspace: workspace, into: out.baseAddress! + start * d)
                }
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

    /// Next items for a history, steered by the prompt when there is one.
    ///
    /// Batched with concurrent requests: a history missing from the user-vector cache is encoded
    /// in the histories batcher, a pooled head's prompt missing from the prompt cache is embedded in
    /// the prompt batcher, and fusion and retrieval run in the ranking batcher (one head pass per
    /// batch; each top-K alone, see `RequestBatchers.rank`). Token states are computed per prompt
    /// (through their cache): the encoder has no batched entry point for them. A prompt this head
    /// has seen is already routed and projected (`PreparedPrompts`): only the tower and top-K run.
    func recommend(_ request: RecommendRequest) async throws -> RecommendResponse {
        try await recommend(planRecommend(request))
    }

    /// A Recommend request after its checks and cache lookups: what is known, and what is missing.
    struct RecommendPlan: Sendable {
        let request: RecommendRequest
        let model: ServingModel
        let backbone: Backbone
        let index: ItemIndex
        /// The head and encoder services when the request has a prompt.
        let steeringParts: (head: DPRHead, services: PromptServices)?
        /// The user vector when the user-vector cache had it.
        let cachedUser: [Float]?
        /// The prompt as this head prepared it before, when it had.
        let prepared: PreparedPrompt?

        /// Nothing left to compute but the head's tower and the top-K.
        var isReady: Bool { cachedUser != nil && (steeringParts == nil || prepared != nil) }
    }

    /// Checks `request` and looks up its caches (no encoder or backbone runs).
    /// - Throws: `RPCError` for a request that cannot be served.
    func planRecommend(_ request: RecommendRequest) throws -> RecommendPlan {
        let model = servingModel()   // this request finishes on these, whatever is loaded meanwhile
        guard let backbone = model.backbone else {
            throw RPCError(.failedPrecondition, "no backbone is loaded: call LoadBackbone first (steer load-backbone NAME --checkpoint FILE)")
        }
        let info = backbone.info
        guard let index = model.index else {
            throw RPCError(.failedPrecondition, "no item index is loaded: load a backbone with a checkpoint written by steer train "
                + "(its items become the index), start steerd with --index PATH, or call LoadSnapshot")
        }
        guard index.dimension == info.dim, index.count == info.nItems else {
            throw RPCError(.failedPrecondition, "the item index (\(index.count) items × \(index.dimension)) does not belong to backbone "
                + "\(info.name) (\(info.nItems) items × \(info.dim)): load the backbone with its checkpoint, whose items become the index")
        }
        guard request.k >= 1, request.k <= Self.maxRetrieveK else {
            throw RPCError(.invalidArgument, "k = \(request.k); it must be in 1...\(Self.maxRetrieveK)")
        }
        guard !request.history.isEmpty, request.history.count <= Self.maxHistoryLength else {
            throw RPCError(.invalidArgument, "the history has \(request.history.count) items; send 1 to \(Self.maxHistoryLength)")
        }
        if let t = request.history.firstIndex(where: { Int($0) >= info.nItems }) {
            throw RPCError(.invalidArgument, "item id \(request.history[t]) at history position \(t) is out of range: "
                + "backbone \(info.name) has \(info.nItems) items (ids 0..<\(info.nItems))")
        }
        if request.prompt.isEmpty, request.polarity != .unspecified {
            throw RPCError(.invalidArgument, "polarity \(request.polarity) without a prompt: a polarity says how to apply a prompt; "
                + "send one, or leave polarity unspecified")
        }
        // The prompt's checks come before any work, so a bad prompt costs no backbone pass.
        var steeringParts: (head: DPRHead, services: PromptServices)?
        if !request.prompt.isEmpty {
            guard let head = model.head else {
                throw RPCError(.failedPrecondition, "backbone \(info.name) was loaded without a DPR head, so a prompt cannot steer it: "
                    + "\(Self.headFix), or send no prompt")
            }
            let services = try promptServices(for: head)
            do {
                try PromptText.validate(request.prompt)
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "prompt: \(error)")
            }
            if request.polarity == .unspecified, services.router == nil {
                throw RPCError(.failedPrecondition, "no router to read the prompt's polarity (\(services.routerProblem ?? "none loaded")): "
                    + "state it (polarity positive or negative; steer recommend --polarity)")
            }
            steeringParts = (head, services)
        }

        return RecommendPlan(request: request, model: model, backbone: backbone, index: index, steeringParts: steeringParts,
                             cachedUser: cachedUserVector(request.history, model: model),
                             prepared: steeringParts == nil ? nil : preparedPrompt(request.prompt, cache: model.prepared))
    }

    /// A plan that `isReady`, answered at once (no batcher: only with batching off).
    func recommendNow(_ plan: RecommendPlan) throws -> RecommendResponse {
        precondition(plan.isReady, "recommendNow needs a plan with nothing left to compute")
        let (job, response) = try rankJob(plan, user: plan.cachedUser!, prepared: plan.prepared)
        return try Self.fill(response, ranked: RequestBatchers.rank([job], metrics: batchers.metrics, workspaces: batchers.workspaces)[0].get(),
                             index: plan.index)
    }

    /// Computes what `plan` misses (the backbone and the encoder at the same time when both), then ranks.
    func recommend(_ plan: RecommendPlan) async throws -> RecommendResponse {
        let request = plan.request, model = plan.model, backbone = plan.backbone
        let user: [Float]
        var prepared = plan.prepared
        let cachedUser = plan.cachedUser
        if let (head, services) = plan.steeringParts {
            if prepared == nil, cachedUser == nil {
                // Both missed: the backbone and the sentence encoder run at the same time (on two
                // cores, a new history plus a new prompt then costs the longer of the two, not the sum).
                async let encoded = encodeUserVector(request.history, backbone: backbone, model: model)
                prepared = try await prepare(request.prompt, head: head, services: services, cache: model.prepared)
                user = try await encoded
            } else {
                if prepared == nil { prepared = try await prepare(request.prompt, head: head, services: services, cache: model.prepared) }
                if let cachedUser { user = cachedUser } else { user = try await encodeUserVector(request.history, backbone: backbone, model: model) }
            }
        } else if let cachedUser {
            user = cachedUser
        } else {
            user = try await encodeUserVector(request.history, backbone: backbone, model: model)
        }
        try Task.checkCancellation()   // the history is encoded and the prompt prepared; a cancelled request goes no further
        let (job, response) = try rankJob(plan, user: user, prepared: prepared)
        try Task.checkCancellation()   // before fusion and retrieval
        let ranked = try await batchers.ranking.submit(
            job, key: RankKey(index: ObjectIdentifier(plan.index), head: model.head.map { ObjectIdentifier($0) }))
        return Self.fill(response, ranked: ranked, index: plan.index)
    }

    /// The ranking job of a plan with its user vector (and prepared prompt), and the response so
    /// far (the polarity used and its confidence).
    private func rankJob(_ plan: RecommendPlan, user: [Float], prepared: PreparedPrompt?) throws -> (RankJob, RecommendResponse) {
        let request = plan.request
        var response = RecommendResponse(itemIDs: [], scores: [])
        var steering: RankJob.Steering?
        if let prepared {
            if request.polarity != .unspecified {
                response.polarity = request.polarity
                response.routeConfidence = 1
            } else {
                // A router exists (checked above), so the prompt was routed when it was prepared.
                guard let route = prepared.route else { throw RPCError(.internal, "the prompt was prepared without a route") }
                response.polarity = route.polarity == .positive ? .positive : .negative
                response.routeConfidence = route.confidence
            }
            steering = RankJob.Steering(projected: prepared.projected, tokens: prepared.tokens,
                                        polarity: response.polarity == .positive ? .positive : .negative)
        }

        let job = RankJob(index: plan.index, head: plan.model.head, user: user, steering: steering,
                          exclude: request.includeHistory ? [] : request.history, k: Int(request.k))
        return (job, response)
    }

    /// `response` with the ranked items, their titles and categories.
    private static func fill(_ response: RecommendResponse, ranked: [ScoredItem], index: ItemIndex) -> RecommendResponse {
        var response = response
        response.itemIDs = ranked.map(\.item)
        response.scores = ranked.map(\.score)
        response.titles = ranked.map { index.titles?[Int($0.item)] ?? "" }
        response.categories = ranked.map { scored in
            index.categories(of: scored.item).map { index.categoryNames?[Int($0)] ?? String($0) }.joined(separator: "|")
        }
        return response
    }

    /// The user vector of `history` from the user-vector cache (per model generation), or nil.
    private func cachedUserVector(_ history: [UInt32], model: ServingModel) -> [Float]? {
        guard history.count <= Self.maxCachedHistory else { return nil }
        return userVectors.get(UserVectorKey(generation: model.generation, history: history))
    }

    /// Encodes `history` with `backbone` (through the histories batcher) and caches the vector.
    private func encodeUserVector(_ history: [UInt32], backbone: Backbone, model: ServingModel) async throws -> [Float] {
        let user: [Float]
        do {
            user = try await batchers.histories.submit(HistoryJob(backbone: backbone, histories: [history]), key: ObjectIdentifier(backbone))
        } catch let error as PluginError {
            throw RPCError(Self.status(for: error), error.description)
        }
        if history.count <= Self.maxCachedHistory {
            userVectors.put(UserVectorKey(generation: model.generation, history: history), user)
        }
        return user
    }

    /// `text` as this head has prepared it before, or nil; counted as a prepared-prompt hit or miss.
    private func preparedPrompt(_ text: String, cache: PreparedPrompts?) -> PreparedPrompt? {
        let prepared = cache?.get(text)
        if prepared != nil { preparedPromptCounts.hit() } else { preparedPromptCounts.miss() }
        return prepared
    }

    /// `text` routed and projected for `head`, from its token states (or pooled embedding; through
    /// the prompt cache), the router and the head's projector, then kept in `cache`.
    private func prepare(_ text: String, head: DPRHead, services: PromptServices, cache: PreparedPrompts?) async throws -> PreparedPrompt {
        let input: (values: [Float], tokens: Int, pooled: [Float])
        switch head.config.keyValue {
        case .tokens:
            let states = try services.tokenStates(text)
            input = (states.states, states.tokens, states.pooled)
        case .pooled:
            // The prompts batcher is made from the same loaded encoder as `services`: one exists iff the other does.
            guard let batcher = batchers.prompts else { throw RPCError(.internal, "a sentence encoder is loaded but has no prompt batcher") }
            let pooled = try await services.embed([text], batcher: batcher).embeddings
            guard pooled.allSatisfy(\.isFinite) else { throw RPCError(.internal, "the encoder produced no embedding for some prompt") }
            input = (pooled, 1, pooled)
        }
        try Task.checkCancellation()   // the prompt is embedded
        let route: (polarity: PromptPolarity, confidence: Float)?
        if let router = services.router {
            do {
                let decision = try router.route(embedding: input.pooled, text: text)
                route = (decision.polarity == .positive ? .positive : .negative, Float(decision.confidence))
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "prompt: \(error)")
            }
        } else {
            route = nil
        }
        let prepared = PreparedPrompt(route: route, projected: head.project(input.values, rows: input.tokens), tokens: input.tokens)
        cache?.put(text, prepared)
        return prepared
    }
}

/// Where a batch of Fuse/Recommend prompts comes from: sentence embeddings the client sent, or
/// texts the daemon embeds (through the cache).
private enum PromptSource {
    case embeddings([Float])
    case texts([String], PromptServices)

    /// The encoder states of the prompts of `rows`, each as it is (the head pads them).
    /// Encoder work yields its thread between prompts when `slice` is due (see `ComputeSlice`).
    /// - Throws: `RPCError(.internal)` when the encoder fails; `CancellationError`.
    func batch(_ rows: Range<Int>, mode: KeyValueMode, width e: Int, slice: inout ComputeSlice) async throws -> [DPRHead.PromptRows] {
        switch self {
        case .embeddings(let all):
            return rows.map { DPRHead.PromptRows(values: Array(all[($0 * e)..<(($0 + 1) * e)]), rows: 1) }
        case .texts(let texts, let services):
            let chunk = Array(texts[rows])
            switch mode {
            case .pooled:
                let (flat, _) = try await services.embed(chunk, slice: &slice)
                guard flat.allSatisfy(\.isFinite) else { throw RPCError(.internal, "the encoder produced no embedding for some prompt") }
                return chunk.indices.map { DPRHead.PromptRows(values: Array(flat[($0 * e)..<(($0 + 1) * e)]), rows: 1) }
            case .tokens:
                var prompts: [DPRHead.PromptRows] = []
                for text in chunk {
                    try await slice.yieldIfDue()   // one encoder pass per prompt: yield or stop between them
                    let states = try services.tokenStates(text)
                    prompts.append(DPRHead.PromptRows(values: states.states, rows: states.tokens))
                }
                return prompts
            }
        }
    }
}
