// Evaluation tasks from the held-out parts: POS and NEG per window N, seeded (paper §4.1.1).

public import SteerData
import SteerRandom

/// The tasks of one window N: every user's POS task and NEG task, when they exist.
public struct TaskSet: Sendable {
    /// The window N.
    public let window: Int
    /// POS tasks, in user order.
    public var positive: [SteeringTask]
    /// NEG tasks, in user order.
    public var negative: [SteeringTask]

    /// The tasks of `polarity`.
    public func tasks(_ polarity: TaskPolarity) -> [SteeringTask] { polarity == .positive ? positive : negative }
}

/// Builds the evaluation tasks of a split (paper §4.1.1; the README's DPR section states the protocol).
///
/// For each user with a non-empty held-out part: history = the parts before it (test: train
/// + validation; validation: train), future = the held-out part, window = its first N items
/// (fewer if it is shorter). The rules are in ``TaskRules``: POS needs a window item with a
/// genre the first future item lacks; NEG avoids a genre of the first future item.
///
/// **Seeding.** Each draw uses a generator seeded by (seed, polarity, user) only, not by N:
/// a user avoids the same genre at every N (its NEG targets at N=3 are a prefix of those at
/// N=10), and each user's tasks are independent of the other users.
public struct TaskBuilder: Sendable {
    /// The windows the paper evaluates: N ∈ {3, 5, 10}.
    public static let paperWindows = [3, 5, 10]
    /// The default seed.
    public static let defaultSeed: UInt64 = 2020

    /// The split the tasks come from.
    public let split: DatasetSplit
    /// The base seed of every draw.
    public let seed: UInt64

    /// A builder over `split` with `seed`.
    public init(split: DatasetSplit, seed: UInt64 = TaskBuilder.defaultSeed) {
        self.split = split
        self.seed = seed
    }

    /// The tasks of `window` on `part`.
    /// - Throws: ``TasksError`` (invalid setting) when `window` < 2 (a window of one item
    ///   cannot hold an interest shift).
    public func tasks(window: Int, part: EvaluationPart = .test) throws -> TaskSet {
        guard window >= 2 else { throw TasksError.invalidSetting("a task window must hold at least 2 items, got \(window)") }
        let categories = split.dataset.itemCategories
        var positive: [SteeringTask] = []
        var negative: [SteeringTask] = []
        for evaluationCase in split.cases(part) {
            let (pos, neg) = Self.build(
                user: evaluationCase.user, history: evaluationCase.history, future: evaluationCase.future,
                window: window, categories: categories, pool: Self.pool(for: part),
                positiveGenerator: TaskRandom.generator(seed: seed, TaskRandom.Purpose.positive.rawValue, UInt64(evaluationCase.user)),
                negativeGenerator: TaskRandom.generator(seed: seed, TaskRandom.Purpose.negative.rawValue, UInt64(evaluationCase.user)))
            if let pos { positive.append(pos) }
            if let neg { negative.append(neg) }
        }
        return TaskSet(window: window, positive: positive, negative: negative)
    }

    /// The template pool of tasks built on `part`: the test part draws the held-out phrasings;
    /// the validation part, which selects models during training, draws the training ones, so
    /// evaluation phrasings never influence a trained model.
    public static func pool(for part: EvaluationPart) -> TemplatePool { part == .test ? .evaluation : .training }

    /// The task sets of every window in `windows` (default N ∈ {3, 5, 10}), in that order.
    /// - Throws: ``TasksError`` as ``tasks(window:part:)``.
    public func taskSets(windows: [Int] = TaskBuilder.paperWindows, part: EvaluationPart = .test) throws -> [TaskSet] {
        try windows.map { try tasks(window: $0, part: part) }
    }

    /// The POS and NEG tasks of one (history, future) pair; shared with the training sampler.
    static func build(
        user: Int, history: ArraySlice<Int32>, future: ArraySlice<Int32>, window: Int, categories: [[Int32]],
        pool: TemplatePool, positiveGenerator: SeededRandom, negativeGenerator: SeededRandom
    ) -> (positive: SteeringTask?, negative: SteeringTask?) {
        let items = future.prefix(window)
        let windowItems = Array(items)
        var generator = positiveGenerator
        let positive = TaskRules.positive(window: items, categories: categories, generator: &generator).map {
            SteeringTask(
                user: user, polarity: .positive, window: window, genre: $0.genre, history: history,
                windowItems: windowItems, targets: [$0.target], compliance: $0.compliance, pool: pool)
        }
        generator = negativeGenerator
        let negative = TaskRules.negative(window: items, categories: categories, generator: &generator).map {
            SteeringTask(
                user: user, polarity: .negative, window: window, genre: $0.genre, history: history,
                windowItems: windowItems, targets: $0.targets, compliance: $0.targets, pool: pool)
        }
        return (positive, negative)
    }
}
