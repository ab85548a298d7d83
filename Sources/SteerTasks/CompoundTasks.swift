// Compound tasks (issue 15): "g, but no h", one request and one refusal in one prompt.

public import SteerData
internal import SteerEvaluation
import SteerRandom

/// A task whose prompt asks for genre g and rules out genre h: its target is a window item
/// having g and lacking h.
///
/// Built from the held-out parts by the rules of the POS and NEG tasks combined (see
/// ``TaskRules/compound(window:categories:generator:)``), so it measures what one polarity per
/// prompt cannot serve.
public struct CompoundTask: Sendable, Equatable {
    /// The request: a POS task whose genre is g, whose target has g but not h, and whose
    /// compliance list holds the window items with g and without h.
    public let wanted: SteeringTask
    /// h, the genre ruled out: one of the first future item's genres that the target lacks.
    public let avoided: Int32

    /// The user, window and target of the task.
    public var user: Int { wanted.user }
    public var window: Int { wanted.window }
    public var target: Int32 { wanted.targets[0] }
}

extension TaskRules {
    /// The compound task's (g, h, target, compliance) of `window`: among the window items that
    /// have a genre the first item lacks (the POS shift) and lack a genre the first item has
    /// (what a NEG prompt about the first item's genre would keep), one is drawn as the target;
    /// g is drawn among its genres the first item lacks, h among the first item's genres it
    /// lacks. The first item has h, so it is never the target.
    static func compound(
        window: ArraySlice<Int32>, categories: [[Int32]], generator: inout SeededRandom
    ) -> (genre: Int32, avoided: Int32, target: Int32, compliance: [Int32])? {
        guard let first = window.first else { return nil }
        let firstGenres = categories[Int(first)]
        let novel: (Int32) -> [Int32] = { item in categories[Int(item)].filter { !firstGenres.contains($0) } }
        let lacking: (Int32) -> [Int32] = { item in firstGenres.filter { !categories[Int(item)].contains($0) } }
        let eligible = window.filter { !novel($0).isEmpty && !lacking($0).isEmpty }
        guard !eligible.isEmpty else { return nil }
        let target = eligible[TaskRandom.index(eligible.count, using: &generator)]
        let genres = novel(target), avoidable = lacking(target)
        let genre = genres[TaskRandom.index(genres.count, using: &generator)]
        let avoided = avoidable[TaskRandom.index(avoidable.count, using: &generator)]
        let compliance = window.filter { categories[Int($0)].contains(genre) && !categories[Int($0)].contains(avoided) }
        return (genre, avoided, target, compliance)
    }
}

extension TaskBuilder {
    /// The compound tasks of `window` on `part`, one per user at most, in user order; each
    /// draw seeded by (seed, user) only, as the POS and NEG tasks are.
    /// - Throws: ``TasksError`` (invalid setting) when `window` < 2.
    public func compoundTasks(window: Int, part: EvaluationPart = .test) throws -> [CompoundTask] {
        guard window >= 2 else { throw TasksError.invalidSetting("a task window must hold at least 2 items, got \(window)") }
        let categories = split.dataset.itemCategories
        return split.cases(part).compactMap { evaluationCase in
            var generator = TaskRandom.generator(seed: seed, TaskRandom.Purpose.compound.rawValue, UInt64(evaluationCase.user))
            let items = evaluationCase.future.prefix(window)
            guard let drawn = TaskRules.compound(window: items, categories: categories, generator: &generator) else { return nil }
            let wanted = SteeringTask(
                user: evaluationCase.user, polarity: .positive, window: window, genre: drawn.genre,
                history: evaluationCase.history, windowItems: Array(items), targets: [drawn.target],
                compliance: drawn.compliance, pool: Self.pool(for: part))
            return CompoundTask(wanted: wanted, avoided: drawn.avoided)
        }
    }
}

extension PromptTemplates {
    /// The two parts of `task`'s prompt, as a user would write them one after the other: the
    /// request (the POS template drawn for ``CompoundTask/wanted``, single genre) and the refusal
    /// (a NEG template of the same pool drawn for (user, window, h)), each rendered on its own.
    public func compoundParts(for task: CompoundTask, in dataset: SequenceDataset, seed: UInt64) -> (wanted: String, avoided: String) {
        let wanted = prompt(for: task.wanted, genreNames: [dataset.categoryNames[Int(task.wanted.genre)]], seed: seed)
        var generator = TaskRandom.generator(
            seed: seed, TaskRandom.Purpose.template.rawValue, 3, UInt64(task.user), UInt64(task.window), UInt64(task.avoided))
        let list = templates(.negative, task.wanted.pool)
        let avoided = render(list[TaskRandom.index(list.count, using: &generator)],
                             genreNames: [dataset.categoryNames[Int(task.avoided)]])
        return (wanted, avoided)
    }

    /// The whole prompt of `task`: its two parts joined by a space (each is a sentence).
    public func compoundPrompt(for task: CompoundTask, in dataset: SequenceDataset, seed: UInt64) -> String {
        let parts = compoundParts(for: task, in: dataset, seed: seed)
        return parts.wanted + " " + parts.avoided
    }
}
