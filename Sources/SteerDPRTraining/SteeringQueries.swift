// The prompt-steered query vectors of a set of tasks: user vector + prompt → DPR head → z.
import SteerData
import SteerDPR
import SteerEvaluation
import SteerPlugins
import SteerPrompt
import SteerRandom
import SteerTasks
import SteerTraining

/// Renders, embeds, routes and fuses evaluation tasks into per-task query vectors, the way
/// steerd's Recommend does it for one request: polarity comes from the router (when given)
/// not from the task, so routing mistakes count against DPR as they would in production.
public struct SteeringQueries {
    public let head: DPRHead
    public let bank: PromptBank
    public let router: PromptRouter?
    /// With a router: mix both towers' outputs by the router's probability,
    /// z = p·z₊ + (1 − p)·z₋, instead of sending each prompt through the one tower it picks.
    public let soft: Bool
    /// With a router: read each prompt part by part and apply its sure parts (in the steering order), as
    /// Recommend does (``steer(rows:readings:minimumConfidence:)``), instead of one tower per prompt.
    public let partByPart: Bool

    /// When given: every request (a part through the positive tower) is steered together with its
    /// nearest training wordings, as ``PromptMemory`` describes.
    public let memory: PromptMemory?

    public init(head: DPRHead, bank: PromptBank, router: PromptRouter?, soft: Bool = false, partByPart: Bool = false,
                memory: PromptMemory? = nil) {
        self.head = head
        self.bank = bank
        self.router = router
        self.soft = soft
        self.partByPart = partByPart
        self.memory = memory
    }

    /// The router's probability that each text is positive (1 or 0 from `fallback` without a router).
    public func positiveProbabilities(_ texts: [String], fallback: [TaskPolarity]) throws -> [Float] {
        guard let router else { return fallback.map { $0 == .positive ? 1 : 0 } }
        var decided: [String: Float] = [:]
        for text in Set(texts) {
            let decision = try router.route(states: bank.tokens(bank.id(text)), text: text)
            decided[text] = Float(decision.positiveProbability)
        }
        return texts.map { decided[$0]! }
    }

    /// Polarity of each text: the router's decision, or `fallback` without a router.
    public func polarities(_ texts: [String], fallback: [TaskPolarity]) throws -> [PromptPolarity] {
        guard let router else { return fallback.map { $0 == .positive ? .positive : .negative } }
        var decided: [String: PromptPolarity] = [:]
        for text in Set(texts) {
            let decision = try router.route(states: bank.tokens(bank.id(text)), text: text)
            decided[text] = decision.polarity == .positive ? .positive : .negative
        }
        return texts.map { decided[$0]! }
    }

    /// z [T, d] for `tasks` whose user vectors are rows `userRow(task)` of `users` [*, d] and
    /// whose prompts are `texts` (one per task, already in the bank), `batch` tasks per head call.
    public func fuse(
        tasks: [SteeringTask], texts: [String], users: [Float], userRow: (SteeringTask) -> Int, batch: Int = 512
    ) throws -> [Float] {
        let d = head.config.dim
        if partByPart, let router {
            var rows = [Float]()
            rows.reserveCapacity(tasks.count * d)
            for task in tasks { let r = userRow(task); rows.append(contentsOf: users[(r * d)..<((r + 1) * d)]) }
            let readings = try read(texts, router: router)
            return try steer(rows: rows, readings: texts.map { readings[$0]! })
        }
        if soft && router != nil {
            let p = try positiveProbabilities(texts, fallback: tasks.map(\.polarity))
            let zPos = try fuse(tasks: tasks, texts: texts, polarity: Array(repeating: .positive, count: tasks.count),
                            users: users, userRow: userRow, batch: batch)
            var z = try fuse(tasks: tasks, texts: texts, polarity: Array(repeating: .negative, count: tasks.count),
                         users: users, userRow: userRow, batch: batch)
            for t in tasks.indices {
                for j in (t * d)..<((t + 1) * d) { z[j] = p[t] * zPos[j] + (1 - p[t]) * z[j] }
            }
            return z
        }
        return try fuse(tasks: tasks, texts: texts, polarity: try polarities(texts, fallback: tasks.map(\.polarity)),
                    users: users, userRow: userRow, batch: batch)
    }

    /// z for `tasks` with each row's tower given by `polarity`.
    func fuse(tasks: [SteeringTask], texts: [String], polarity: [PromptPolarity], users: [Float],
              userRow: (SteeringTask) -> Int, batch: Int) throws -> [Float] {
        let d = head.config.dim
        var rows = [Float]()
        rows.reserveCapacity(tasks.count * d)
        for task in tasks {
            let r = userRow(task)
            rows.append(contentsOf: users[(r * d)..<((r + 1) * d)])
        }
        return try fuse(rows: rows, texts: texts, polarities: polarity, batch: batch)
    }

    /// Each distinct text of `texts` read part by part (one reading per text).
    public func read(_ texts: [String], router: PromptRouter) throws -> [String: PromptReading] {
        let cache = PromptCache(capacityBytes: 64 << 20)
        var readings: [String: PromptReading] = [:]
        for text in Set(texts) { readings[text] = try router.read(text, encoder: bank.encoder, cache: cache) }
        return readings
    }

    /// Row t of `rows` [T, d] steered by `readings[t]` as Recommend steers a user vector: the parts
    /// sure enough to apply (``PromptReading/steeredParts(minimumConfidence:)``), in the steering
    /// order (``PromptReading/steeringOrder(_:isRefusal:)``: the refusals on both sides of the
    /// requests), each through the tower it was read with, each on the vector the step
    /// before it gave. A row with no part applied keeps its vector.
    public func steer(rows: [Float], readings: [PromptReading],
                      minimumConfidence: Double = PromptReading.defaultMinimumConfidence) throws -> [Float] {
        let d = head.config.dim
        let parts = readings.map { $0.steeredParts(minimumConfidence: minimumConfidence) }
        try bank.add(parts.flatMap { $0.map(\.text) })
        var z = rows
        for step in 0..<(parts.map(\.count).max() ?? 0) {
            // Rows with a part at this step move; the others keep their vector.
            let moving = parts.indices.filter { parts[$0].count > step }
            let applied = moving.map { parts[$0][step] }
            var input = [Float]()
            for t in moving { input.append(contentsOf: z[(t * d)..<((t + 1) * d)]) }
            let out = try fuse(rows: input, texts: applied.map(\.text),
                           polarities: applied.map { $0.decision.polarity == .positive ? .positive : .negative })
            for (i, t) in moving.enumerated() { z.replaceSubrange((t * d)..<((t + 1) * d), with: out[(i * d)..<((i + 1) * d)]) }
        }
        return z
    }

    /// Steers each row of `rows` [T, d] (user vectors, or vectors an earlier part already steered)
    /// with `texts[t]` (in the bank) through the tower of `polarities[t]`, `batch` rows per head call;
    /// with a ``memory``, each request mixed with its nearest training wordings.
    /// - Throws: what the encoder throws for a neighbour not in the bank yet.
    public func fuse(rows: [Float], texts: [String], polarities: [PromptPolarity], batch: Int = 512) throws -> [Float] {
        var out = fuseAlone(rows: rows, texts: texts, polarities: polarities, batch: batch)
        guard let memory else { return out }
        let requests = polarities.indices.filter { polarities[$0] == .positive }
        var neighbours: [String: [(text: String, weight: Float)]] = [:]
        for t in requests where neighbours[texts[t]] == nil { neighbours[texts[t]] = memory.neighbours(of: bank.pooled(bank.id(texts[t]))) }
        try bank.add(neighbours.values.flatMap { $0.map(\.text) })
        // Every request's k-th neighbour in one pass; then each request mixed with its neighbours.
        let d = head.config.dim
        var steered = [[(vector: [Float], weight: Float)]](repeating: [], count: texts.count)
        for k in 0..<PromptMemory.neighbourCount {
            let moving = requests.filter { neighbours[texts[$0]]!.count > k }
            guard !moving.isEmpty else { break }
            var input = [Float]()
            input.reserveCapacity(moving.count * d)
            for t in moving { input.append(contentsOf: rows[(t * d)..<((t + 1) * d)]) }
            let z = fuseAlone(rows: input, texts: moving.map { neighbours[texts[$0]]![k].text },
                              polarities: Array(repeating: .positive, count: moving.count), batch: batch)
            for (i, t) in moving.enumerated() { steered[t].append((Array(z[(i * d)..<((i + 1) * d)]), neighbours[texts[t]]![k].weight)) }
        }
        for t in requests {
            out.replaceSubrange((t * d)..<((t + 1) * d), with: PromptMemory.mix(own: out[(t * d)..<((t + 1) * d)], neighbours: steered[t]))
        }
        return out
    }

    /// ``fuse(rows:texts:polarities:batch:)`` without the memory.
    private func fuseAlone(rows: [Float], texts: [String], polarities: [PromptPolarity], batch: Int) -> [Float] {
        let d = head.config.dim
        precondition(rows.count == texts.count * d && polarities.count == texts.count, "rows, texts and polarities disagree")
        var out = [Float](repeating: 0, count: rows.count)
        var start = 0
        while start < texts.count {
            let end = min(texts.count, start + batch)
            let prompt = bank.gather(texts[start..<end].map(bank.id), mode: head.config.keyValue)
            out.withUnsafeMutableBufferPointer { o in
                head.forward(out: o.baseAddress! + start * d, user: Array(rows[(start * d)..<(end * d)]), prompt: prompt.values,
                             promptLength: prompt.keys, lengths: prompt.lengths, polarities: Array(polarities[start..<end]),
                             batch: end - start)
            }
            start = end
        }
        return out
    }
}

/// Measures a DPR model (backbone + head) on SEQ, POS and NEG tasks of one part into a report.
///
/// Its POS prompts follow ``positivePrompts``; the tasks, targets and baseline rows do not
/// depend on it, so the two protocols are measured on the same tasks against the same Filters.
public struct SteeringEvaluation {
    public let split: DatasetSplit
    public let templates: PromptTemplates
    public let windows: [Int]
    public let part: EvaluationPart
    public let seed: UInt64
    /// What a POS prompt names.
    public let positivePrompts: PositivePromptProtocol
    private let taskSets: [TaskSet]
    private let cases: [EvaluationCase]
    private let ranking: TaskRanking

    public init(split: DatasetSplit, templates: PromptTemplates, windows: [Int], part: EvaluationPart,
                seed: UInt64 = TaskBuilder.defaultSeed, positivePrompts: PositivePromptProtocol = .default) throws {
        self.split = split
        self.templates = templates
        self.windows = windows
        self.part = part
        self.seed = seed
        self.positivePrompts = positivePrompts
        taskSets = try TaskBuilder(split: split, seed: seed).taskSets(windows: windows, part: part)
        cases = split.cases(part)
        ranking = TaskRanking(dataset: split.dataset, evaluator: try FullRankingEvaluator(cutoffs: [10, 20]))
    }

    /// The task sets measured (POS then NEG of each window).
    public var sets: [TaskSet] { taskSets }

    /// The genre prompt of each of `tasks` (from the pool the part gives them, under ``positivePrompts``).
    public func prompts(for tasks: [SteeringTask]) -> [String] {
        tasks.map { templates.prompt(for: $0, in: split.dataset, seed: seed, positivePrompts: positivePrompts) }
    }

    /// Records `name` rows: SEQ with the backbone alone (no prompt), and, when `queries` is given,
    /// POS/NEG with steered vectors; with `baselines`, the Base and Filter rows of the backbone and
    /// beside Filter the POS references "Filter, all target genres" and "Filter, exact genre set"
    /// (``RankingMethod``). Baseline rows are labelled `"<name> <method label>"` with the suffix
    /// (`+f` for a fine-tuned backbone) after `Base` or `Filter`; the steered rows `name` itself.
    public func evaluate(backbone: Backbone, queries: SteeringQueries?, name: String, baselines: Bool, suffix: String = "",
                         filtered: Bool = false, into report: inout ControllableReport) throws {
        let users = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let items = backbone.itemEmbeddings, d = backbone.info.dim
        let seq = try ranking.evaluator.evaluate(users: users, items: items, dimension: d, excluded: cases.map(\.history),
                                                 targets: cases.map { [$0.target] }).mean
        let caseRow = Dictionary(cases.enumerated().map { ($1.user, $0) }, uniquingKeysWith: { first, _ in first })
        if baselines {
            report.append(model: "\(name) Base\(suffix)", task: .seq, window: nil, metrics: seq)
            for method in RankingMethod.allCases {
                try ranking.evaluate(model: "\(name) \(method.label(suffix: suffix))", method: method, taskSets: taskSets,
                                     queries: .perCase(users, users: cases.map(\.user)), items: items, dimension: d, into: &report)
            }
        }
        if let queries {
            report.append(model: name, task: .seq, window: nil, metrics: seq)
            let tasks = taskSets.flatMap { $0.positive + $0.negative }
            let texts = prompts(for: tasks)
            try queries.bank.add(texts)
            let z = try queries.fuse(tasks: tasks, texts: texts, users: users, userRow: { caseRow[$0.user]! })
            try ranking.evaluate(model: name, method: .base, taskSets: taskSets, queries: .perTask(z), items: items,
                                 dimension: d, into: &report)
            if filtered {
                try ranking.evaluate(model: name + " + Filter", method: .filter, taskSets: taskSets, queries: .perTask(z), items: items,
                                     dimension: d, into: &report)
            }
        }
    }

    /// Records the POS tasks of row `name` prompted with the target's own tag, in its
    /// evaluation paraphrase (appendix B.3), as the paper's stage-3 test prompts are: one facet
    /// per task, seeded. Tasks whose target has no tags keep their genre prompt (under
    /// ``positivePrompts``). The tasks and
    /// targets are those of the genre POS rows, so the Filter rows of the same run are the
    /// baseline; a Filter cannot read a tag, it filters by the task's genre.
    /// - Returns: how many of the POS tasks were prompted with a tag, and how many there were.
    @discardableResult
    ///
    /// `wording` `.training` prompts with the training tags instead: a check of how well stage 3
    /// fitted its own tags, never a result (those tags were trained on).
    public func evaluateTagPrompts(backbone: Backbone, queries: SteeringQueries, tags: ItemTags, wording: TagWording = .evaluation,
                                   name: String, into report: inout ControllableReport) throws -> (tagged: Int, total: Int) {
        let users = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let caseRow = Dictionary(cases.enumerated().map { ($1.user, $0) }, uniquingKeysWith: { first, _ in first })
        let positiveSets = taskSets.map { set -> TaskSet in
            var only = set
            only.negative = []
            return only
        }
        let tasks = positiveSets.flatMap(\.positive)
        var tagged = 0
        let texts = tasks.map { task -> String in
            var generator = SeededRandom(seed: seed ^ 0x4556_414C_5441_47 &+ UInt64(task.user) &* 0x9E37_79B9
                                         &+ UInt64(task.window) &* 0x85EB_CA6B)
            let facet = TagFacet.allCases[Int(generator.next() % 3)]
            if let target = task.targets.first, let text = tags.tag(target, facet, wording) {
                tagged += 1
                return text
            }
            return templates.prompt(for: task, in: split.dataset, seed: seed, positivePrompts: positivePrompts)
        }
        try queries.bank.add(texts)
        let z = try queries.fuse(tasks: tasks, texts: texts, users: users, userRow: { caseRow[$0.user]! })
        try ranking.evaluate(model: name, method: .base, taskSets: positiveSets, queries: .perTask(z),
                             items: backbone.itemEmbeddings, dimension: backbone.info.dim, into: &report)
        return (tagged, tasks.count)
    }
}
