// Recommend, the one-call path, as a pipeline read from top to bottom:
//
//   1. plan      `planRecommend`: every check, then the cache lookups (user vector by model
//                generation and history; the prompt's reading; each part as this head prepared
//                it). No model runs.
//   2. inline    a plan with nothing missing and an index within the inline budget is answered on
//                the event loop (`recommendNow`, called from InlineAnswers.swift); otherwise:
//   3. missing   `recommend(plan)`: encode the history (histories stage) ∥ prepare the prompt
//                (token states or pooled embedding → router → projector), at the same time when
//                both are missing; a prompt not read before is prepared whole, then read part by
//                part, and each part of several that will be applied is prepared; all into caches
//                (with a prompt memory, each prompt's nearest training wordings are prepared with it).
//   4. rank      the parts' polarities (stated, or read), the policy on unsure parts, then the
//                ranking stage: the user vector through each applied part's tower (the refusals
//                on both sides of the requests, `PromptReading.steeringOrder`; with a prompt
//                memory, a request mixed with its neighbours, `PromptMemory.mix`), and the exact
//                top-K without the history (and, with drop_refused_categories, without the
//                categories the applied refusals name: `CategoryMentions`).
//   5. fill      item ids, scores, titles and categories.
//
// Stages 3–4 run through `RequestBatchers`: with batching on, concurrent requests share a
// backbone pass and a head pass; with it off, the same stage runs the one request at once.
import SteerDPR
import SteerIndex
import SteerPlugins
import SteerPrompt
import SteerTransport
import SteerWire

extension SteerService {
    /// Next items for a history, steered by the prompt when there is one.
    ///
    /// Batched with concurrent requests: a history missing from the user-vector cache is encoded
    /// in the histories batcher, and fusion and retrieval run in the ranking batcher (one head pass
    /// per part per batch; each top-K alone, see `RequestBatchers.rank`). A prompt's token states
    /// are computed per prompt (through their cache), whatever the head's keys and values, because
    /// the router reads them: the encoder has no batched entry point for them. A prompt this
    /// head has seen is already read, routed and projected: only the towers and top-K run.
    func recommend(_ request: RecommendRequest) async throws -> RecommendResponse {
        try await recommend(planRecommend(request))
    }

    /// A Recommend request after its checks and cache lookups: what is known, and what is missing.
    struct RecommendPlan: Sendable {
        let request: RecommendRequest
        let model: ServingModel
        let backbone: Backbone
        let index: ItemIndex
        /// The head and encoder services when the request has a prompt or parts.
        let steering: (head: DPRHead, services: PromptServices)?
        /// The user vector when the user-vector cache had it.
        let cachedUser: [Float]?
        /// The prompt's parts with what the caches had of them; nil: a prompt not read yet.
        let parts: [PlannedPart]?
        /// A prompt not read yet: the whole prompt as this head prepared it before, when it had.
        let preparedWhole: PreparedPrompt?
        let policy: PartPolicy

        /// The prompt is read and every part that needs it prepared (or there is no prompt).
        var promptIsReady: Bool {
            steering == nil || (parts.map { $0.allSatisfy { !policy.needsPreparing($0) } } ?? false)
        }

        /// Nothing left to compute but the head's towers and the top-K.
        var isReady: Bool { cachedUser != nil && promptIsReady }
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
        if !request.parts.isEmpty { try checkStatedParts(request) }
        if request.dropRefusedCategories, index.categoryNames == nil {
            throw RPCError(.failedPrecondition, "drop_refused_categories needs the item index's category names, and this index has "
                + "none: load a checkpoint or index written with category names, or leave drop_refused_categories off")
        }
        if request.prompt.isEmpty, request.polarity != .unspecified {
            throw RPCError(.invalidArgument, "polarity \(request.polarity) without a prompt: a polarity says how to apply a prompt; "
                + "send one, or leave polarity unspecified (stated parts carry their own)")
        }
        // The prompt's checks come before any work, so a bad prompt costs no backbone pass.
        var steering: (head: DPRHead, services: PromptServices)?
        if !request.prompt.isEmpty || !request.parts.isEmpty {
            guard let head = model.head else {
                throw RPCError(.failedPrecondition, "backbone \(info.name) was loaded without a DPR head, so a prompt cannot steer it: "
                    + "\(Self.headFix), or send no prompt")
            }
            let services = try promptServices(for: head)
            if !request.prompt.isEmpty {
                do {
                    try PromptText.validate(request.prompt)
                } catch let error as PromptError {
                    throw RPCError(.invalidArgument, "prompt: \(error)")
                }
                if request.polarity == .unspecified, services.router == nil {
                    throw RPCError(.failedPrecondition, "no router to read the prompt's polarity (\(services.routerProblem ?? "none loaded")): "
                        + "state it (polarity positive or negative; steer recommend --polarity)")
                }
            }
            steering = (head, services)
        }

        let parts = steering.flatMap { plannedParts(request, services: $0.services, cache: model.prepared) }
        // A prompt not read yet is prepared whole first (see `preparedParts`): look that up as before.
        let whole = steering != nil && parts == nil ? preparedPrompt(request.prompt, cache: model.prepared) : nil
        return RecommendPlan(request: request, model: model, backbone: backbone, index: index, steering: steering,
                             cachedUser: cachedUserVector(request.history, model: model), parts: parts, preparedWhole: whole,
                             policy: partPolicy)
    }

    /// A plan that `isReady`, answered at once on the caller's thread: the ranking stage runs this
    /// one job without queueing (only with batching off, when a batch would hold this job alone anyway).
    func recommendNow(_ plan: RecommendPlan) throws -> RecommendResponse {
        precondition(plan.isReady, "recommendNow needs a plan with nothing left to compute")
        let (job, response) = try rankJob(plan, user: plan.cachedUser!, parts: plan.parts ?? [])
        return try Self.fill(response, ranked: batchers.ranking.runAlone(job, key: rankKey(plan)), index: plan.index)
    }

    /// Computes what `plan` misses (the backbone and the encoder at the same time when both), then ranks.
    func recommend(_ plan: RecommendPlan) async throws -> RecommendResponse {
        let user: [Float]
        let parts: [PlannedPart]
        if let cachedUser = plan.cachedUser {
            user = cachedUser
            parts = try await preparedParts(plan)
        } else if !plan.promptIsReady {
            // Both missed: the backbone and the sentence encoder run at the same time (on two
            // cores, a new history plus a new prompt then costs the longer of the two, not the sum).
            async let encoded = encodeUserVector(plan.request.history, backbone: plan.backbone, model: plan.model)
            parts = try await preparedParts(plan)
            user = try await encoded
        } else {
            user = try await encodeUserVector(plan.request.history, backbone: plan.backbone, model: plan.model)
            parts = plan.parts ?? []
        }
        try Task.checkCancellation()   // the history is encoded and the prompt prepared; a cancelled request goes no further
        let (job, response) = try rankJob(plan, user: user, parts: parts)
        try Task.checkCancellation()   // before fusion and retrieval
        let ranked = try await batchers.ranking.submit(job, key: rankKey(plan))
        return Self.fill(response, ranked: ranked, index: plan.index)
    }

    /// The prompt's parts, each that needs it prepared. A prompt not read before is first
    /// prepared whole, as every prompt was before prompts were read part by part: for a prompt of
    /// one part (most) that is all its encoder work, and reading it then finds its embedding in the
    /// prompt cache; a prompt of several parts pays that one pass more, once (its reading is cached).
    private func preparedParts(_ plan: RecommendPlan) async throws -> [PlannedPart] {
        guard let (head, services) = plan.steering else { return [] }
        let cache = plan.model.prepared
        var parts: [PlannedPart]
        if let planned = plan.parts {
            parts = planned
        } else {
            let prompt = plan.request.prompt
            var whole = plan.preparedWhole
            if whole == nil { whole = try await prepare(prompt, head: head, services: services, cache: cache) }
            try Task.checkCancellation()   // the whole prompt is prepared; reading it may embed its clauses
            parts = plannedParts(try services.reading(prompt), prompt: prompt, whole: whole, cache: cache)
        }
        for i in parts.indices where plan.policy.needsPreparing(parts[i]) {
            try Task.checkCancellation()   // one encoder pass per part: a cancelled request stops between them
            parts[i].prepared = try await prepare(parts[i].text, head: head, services: services, cache: cache)
        }
        return parts
    }

    /// The ranking job of a plan with its user vector and prepared parts, and the response so far:
    /// every part as applied, and the polarity and confidence of the first applied one.
    private func rankJob(_ plan: RecommendPlan, user: [Float], parts: [PlannedPart]) throws -> (RankJob, RecommendResponse) {
        var response = RecommendResponse(itemIDs: [], scores: [])
        var steps: [RankJob.Steering] = []
        var applied: [(text: String, refusal: Bool)] = []
        for part in parts {
            // A router exists when the polarity is not stated (checked above), so every prepared part was routed.
            guard let decision = part.known, let isApplied = plan.policy.isApplied(part) else {
                throw RPCError(.internal, "a prompt part reached ranking without a route")
            }
            let polarity: SteerWire.Polarity = decision.polarity == .positive ? .positive : .negative
            if isApplied {
                applied.append((part.text, decision.polarity == .negative))
                guard let prepared = part.prepared else { throw RPCError(.internal, "an applied prompt part was not prepared") }
                if steps.isEmpty {
                    response.polarity = polarity
                    response.routeConfidence = decision.confidence
                }
                steps.append(RankJob.Steering(projected: prepared.projected, tokens: prepared.tokens, polarity: decision.polarity,
                                              neighbours: decision.polarity == .positive ? prepared.neighbours : []))
            }
            response.parts.append(PromptPart(text: part.text, polarity: polarity, confidence: decision.confidence, steered: isApplied))
        }

        let request = plan.request
        // The response lists the parts as written; the towers take them in the steering order.
        steps = PromptReading.steeringOrder(steps) { $0.polarity == .negative }
        var job = RankJob(index: plan.index, head: plan.model.head, user: user, steps: steps,
                          exclude: request.includeHistory ? [] : request.history, k: Int(request.k))
        if request.dropRefusedCategories, applied.contains(where: \.refusal), let names = plan.index.categoryNames {
            let named = namedCategories(applied.map { NamedPart(text: $0.text, refusal: $0.refusal) }, names: names)
            let dropped = CategoryMentions.refused(zip(named, applied).map { (named: $0, isRefusal: $1.refusal) })
            job.excludeCategories = dropped.map(UInt32.init)
            // Each applied refusal lists the dropped categories it names (applied parts keep their order in the response).
            var next = 0
            for i in response.parts.indices where response.parts[i].steered {
                if applied[next].refusal { response.parts[i].droppedCategories = named[next].filter(dropped.contains).map { names[$0] } }
                next += 1
            }
        }
        return (job, response)
    }

    /// The categories each of `parts` counts for the drop in the catalogue `names`
    /// (`CategoryMentions.categories(in:refusal:)`), from the memo when it was read before under the same names.
    private func namedCategories(_ parts: [NamedPart], names: [String]) -> [[Int]] {
        categoryMentions.withLock { memo in
            if memo?.mentions.names != names {
                memo = (CategoryMentions(categoryNames: names, descriptions: true), [:])
            } else if memo!.named.count >= Self.maxNamedTexts {
                memo!.named.removeAll()
            }
            return parts.map { part in
                if let known = memo!.named[part] { return known }
                let found = memo!.mentions.categories(in: part.text, refusal: part.refusal)
                memo!.named[part] = found
                return found
            }
        }
    }

    /// Ranking batches share one item index and one head.
    private func rankKey(_ plan: RecommendPlan) -> RankKey {
        RankKey(index: ObjectIdentifier(plan.index), head: plan.model.head.map { ObjectIdentifier($0) })
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
    func preparedPrompt(_ text: String, cache: PreparedPrompts?) -> PreparedPrompt? {
        let prepared = cache?.get(text)
        if prepared != nil { preparedPromptCounts.hit() } else { preparedPromptCounts.miss() }
        return prepared
    }

    /// `text` routed and projected for `head`, from its token states (through the prompt cache; a
    /// pooled head projects their mean), the router and the head's projector, then kept in `cache`.
    /// With a prompt memory, its nearest training wordings are prepared with it (they are texts
    /// like any other: cached, so a wording near many requests is prepared once).
    private func prepare(_ text: String, head: DPRHead, services: PromptServices, cache: PreparedPrompts?,
                         withNeighbours: Bool = true) async throws -> PreparedPrompt {
        // The router reads token states whatever the head's keys and values are.
        let states = try services.tokenStates(text)
        let input: (values: [Float], tokens: Int)
        switch head.config.keyValue {
        case .tokens: input = (states.values, states.count)
        case .pooled: input = (states.pooled, 1)
        }
        try Task.checkCancellation()   // the prompt is embedded
        let route: (polarity: PromptPolarity, confidence: Float)?
        if let router = services.router {
            do {
                let decision = try router.route(states: states, text: text)
                route = (decision.polarity == .positive ? .positive : .negative, Float(decision.confidence))
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "prompt: \(error)")
            }
        } else {
            route = nil
        }
        var neighbours: [PreparedPrompt.Neighbour] = []
        if withNeighbours, let memory = services.memory {
            for near in memory.neighbours(of: states.pooled) {
                var prepared = cache?.wording(near.text)
                if prepared == nil { prepared = try await prepare(near.text, head: head, services: services, cache: cache, withNeighbours: false) }
                guard let prepared else { continue }
                neighbours.append(PreparedPrompt.Neighbour(projected: prepared.projected, tokens: prepared.tokens, weight: near.weight))
            }
        }
        let prepared = PreparedPrompt(route: route, projected: head.project(input.values, rows: input.tokens), tokens: input.tokens,
                                      neighbours: neighbours)
        if withNeighbours { cache?.put(text, prepared) } else { cache?.putWording(text, prepared) }
        return prepared
    }
}
