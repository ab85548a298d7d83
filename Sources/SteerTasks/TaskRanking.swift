// Base and Filter rankings of controllable tasks, given any backbone's user and item vectors.

public import SteerData
public import SteerEvaluation

/// How a task's ranking is formed from the backbone's scores.
public enum RankingMethod: String, Sendable, Codable, CaseIterable {
    /// The plain ranking, history masked: the prompt is ignored (the paper's Base).
    case base
    /// The Base ranking restricted to items with the genre (POS) or stripped of them (NEG):
    /// the paper's Filter, a post-hoc rule that knows the genre exactly.
    case filter
    /// POS only, a reference: the Base ranking restricted to items having every genre of the
    /// target. It knows what a genre-set prompt says, so DPR under that protocol is judged
    /// against it, not only against the single-genre Filter.
    case filterAllTargetGenres = "filter-all-target-genres"
    /// POS only, a reference: the Base ranking restricted to items whose genre set equals the
    /// target's exactly (a narrower set than a genre-set prompt asks for).
    case filterExactGenreSet = "filter-exact-genre-set"

    /// The row label in reports, with `suffix` (`+f` for a fine-tuned backbone) after the
    /// method's name: `Base+f`, `Filter+f`, `Filter+f, all target genres`.
    public func label(suffix: String = "") -> String {
        switch self {
        case .base: "Base\(suffix)"
        case .filter: "Filter\(suffix)"
        case .filterAllTargetGenres: "Filter\(suffix)\(Self.allTargetGenresQualifier)"
        case .filterExactGenreSet: "Filter\(suffix)\(Self.exactGenreSetQualifier)"
        }
    }

    /// What follows `Filter` in the reference rows' labels; ``ControllableReport`` finds the rows by it.
    public static let allTargetGenresQualifier = ", all target genres"
    public static let exactGenreSetQualifier = ", exact genre set"

    /// Whether the method ranks tasks of `polarity`: the genre-set references exist for POS
    /// only (a NEG task has many targets and no one target's genre set).
    public func applies(to polarity: TaskPolarity) -> Bool {
        switch self {
        case .base, .filter: true
        case .filterAllTargetGenres, .filterExactGenreSet: polarity == .positive
        }
    }
}

/// The vectors a ranking uses as queries.
public enum QueryVectors: Sendable {
    /// [U, d]: one vector per dataset user, gathered by ``SteeringTask/user`` (Base and
    /// Filter: the backbone's state over the history, the same for every task of a user).
    case perUser([Float])
    /// [C, d]: one vector per evaluation case, row r belonging to user `users[r]`: what
    /// encoding `split.cases(part)` in order gives (pass `cases.map(\.user)`); robust to users
    /// without a held-out part, whom `cases` skips.
    case perCase([Float], users: [Int])
    /// [T, d]: one vector per task, in task order (a prompt-conditioned model such as DPR).
    case perTask([Float])
}

/// Evaluates controllable tasks with full ranking (README, "Promptable recommendation"): every
/// item is scored, the task's history is excluded (MovieLens has no repeats), targets are never excluded, and
/// Filter restricts candidates with genre bitsets. Metrics are those of ``RankingMetrics``:
/// NEG has several targets, Recall = hits / |targets|, NDCG with binary gains over ideal DCG.
///
/// Base+f and Filter+f are the same computations over fine-tuned vectors: pass those.
public struct TaskRanking: Sendable {
    /// The full-ranking evaluator (cutoffs 10 and 20 by default).
    public let evaluator: FullRankingEvaluator
    /// `withGenre[g]`: the items having category g.
    private let withGenre: [ItemBitset]
    private let withoutGenre: [ItemBitset]
    /// By genre set (ascending ids) of some item: the items having all of its genres, and the
    /// items whose genre set is exactly it. Every target's set is some item's, so every lookup hits.
    private let withAllGenres: [[Int32]: ItemBitset]
    private let withExactGenres: [[Int32]: ItemBitset]
    private let itemCategories: [[Int32]]

    /// A ranking harness over `dataset`'s items and categories.
    public init(dataset: SequenceDataset, evaluator: FullRankingEvaluator) {
        self.evaluator = evaluator
        let categories = dataset.itemCategories
        itemCategories = categories
        // One shared bitset per genre and side (copy-on-write), not one per task.
        withGenre = (0..<dataset.categoryCount).map { g in
            ItemBitset(itemCount: dataset.itemCount) { categories[$0].contains(Int32(g)) }
        }
        withoutGenre = withGenre.map(\.complement)
        // Likewise one per distinct genre set (a few hundred on ML-1M), built from the per-genre sets.
        var all: [[Int32]: ItemBitset] = [:], exact: [[Int32]: ItemBitset] = [:]
        for genres in Set(categories) where !genres.isEmpty {
            all[genres] = ItemBitset(itemCount: dataset.itemCount) { item in genres.allSatisfy { categories[item].contains($0) } }
            exact[genres] = ItemBitset(itemCount: dataset.itemCount) { categories[$0] == genres }
        }
        withAllGenres = all
        withExactGenres = exact
    }

    /// The candidate set of `task` under `method`: nil (all items) for Base; for Filter the
    /// items with the genre (POS) or without it (NEG); for the POS references the items having
    /// all of the target's genres, or exactly its genre set.
    /// - Precondition: `method.applies(to: task.polarity)`.
    public func candidates(for task: SteeringTask, method: RankingMethod) -> ItemBitset? {
        precondition(method.applies(to: task.polarity), "\(method) does not rank \(task.polarity) tasks")
        switch method {
        case .base: return nil
        case .filter: return task.polarity == .positive ? withGenre[Int(task.genre)] : withoutGenre[Int(task.genre)]
        case .filterAllTargetGenres: return withAllGenres[itemCategories[Int(task.targets[0])]]!
        case .filterExactGenreSet: return withExactGenres[itemCategories[Int(task.targets[0])]]!
        }
    }

    /// Per-task metrics of `tasks` ranked with `method`.
    /// - Parameters:
    ///   - tasks: the tasks (any mix of POS and NEG).
    ///   - method: Base or Filter.
    ///   - queries: per-user [U, d] or per-task [T, d] vectors.
    ///   - items: [V, d] item embeddings.
    ///   - dimension: d.
    ///   - itemBias: optional [V] added to every score.
    /// - Throws: ``TasksError`` when the query vectors do not match the tasks or `method` does
    ///   not rank some task's polarity; otherwise ``EvaluationError`` from the evaluator.
    public func evaluate(
        _ tasks: [SteeringTask], method: RankingMethod, queries: QueryVectors, items: [Float], dimension: Int,
        itemBias: [Float]? = nil
    ) throws -> PerUserMetrics {
        let input = try rankingInput(tasks, method: method, queries: queries, dimension: dimension)
        return try evaluator.evaluate(users: input.users, items: items, dimension: dimension, itemBias: itemBias,
                                      excluded: input.excluded, targets: input.targets, candidates: input.candidates)
    }

    /// The top-K items of each task (K = the largest cutoff), best first: for inspection.
    /// - Throws: as ``evaluate(_:method:queries:items:dimension:itemBias:)``.
    public func rank(
        _ tasks: [SteeringTask], method: RankingMethod, queries: QueryVectors, items: [Float], dimension: Int,
        itemBias: [Float]? = nil
    ) throws -> [[Int32]] {
        let input = try rankingInput(tasks, method: method, queries: queries, dimension: dimension)
        return try evaluator.rank(users: input.users, items: items, dimension: dimension, itemBias: itemBias,
                                  excluded: input.excluded, targets: input.targets, candidates: input.candidates)
    }

    /// What the evaluator ranks `tasks` with under `method`, after checking that `method` ranks
    /// every task: the [T, d] query rows, the histories to exclude, the targets and, unless Base,
    /// the candidate sets.
    private func rankingInput(_ tasks: [SteeringTask], method: RankingMethod, queries: QueryVectors, dimension: Int) throws
        -> (users: [Float], excluded: [ArraySlice<Int32>], targets: [[Int32]], candidates: [ItemBitset?]?) {
        try check(tasks, method: method)
        return (try gather(tasks, queries: queries, dimension: dimension), tasks.map(\.history), tasks.map(\.targets),
                method == .base ? nil : tasks.map { candidates(for: $0, method: method) })
    }

    private func check(_ tasks: [SteeringTask], method: RankingMethod) throws {
        if let task = tasks.first(where: { !method.applies(to: $0.polarity) }) {
            throw TasksError.invalidSetting("\(method.label()) ranks POS tasks only, not \(task.polarity)")
        }
    }

    /// The [T, d] query rows of `tasks`.
    private func gather(_ tasks: [SteeringTask], queries: QueryVectors, dimension d: Int) throws -> [Float] {
        guard d >= 1 else { throw TasksError.shapeMismatch("dimension must be ≥ 1, got \(d)") }
        switch queries {
        case .perTask(let vectors):
            guard vectors.count == tasks.count * d else {
                throw TasksError.shapeMismatch("\(vectors.count) query floats for \(tasks.count) tasks × d = \(d)")
            }
            return vectors
        case .perUser(let vectors):
            guard vectors.count % d == 0 else {
                throw TasksError.shapeMismatch("\(vectors.count) user floats are not a multiple of d = \(d)")
            }
            let users = vectors.count / d
            return try gather(tasks, vectors: vectors, dimension: d) { $0 < users ? $0 : nil }
        case let .perCase(vectors, users):
            guard vectors.count == users.count * d else {
                throw TasksError.shapeMismatch("\(vectors.count) case floats for \(users.count) cases × d = \(d)")
            }
            let row = Dictionary(users.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            return try gather(tasks, vectors: vectors, dimension: d) { row[$0] }
        }
    }

    /// The rows `row(task.user)` of `vectors`, one per task.
    private func gather(
        _ tasks: [SteeringTask], vectors: [Float], dimension d: Int, row: (Int) -> Int?
    ) throws -> [Float] {
        var rows = [Float]()
        rows.reserveCapacity(tasks.count * d)
        for task in tasks {
            guard let r = row(task.user) else { throw TasksError.shapeMismatch("no query vector for user \(task.user)") }
            rows.append(contentsOf: vectors[(r * d)..<((r + 1) * d)])
        }
        return rows
    }
}
