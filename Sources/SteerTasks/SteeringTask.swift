// One controllable task: a user's history, a genre prompt's polarity and genre, and its targets.

import SteerData

/// Whether a prompt asks for something (POS) or rules something out (NEG).
public enum TaskPolarity: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// "I'm in the mood for {genre}": one target, an item of the genre.
    case positive
    /// "Avoid {genre}": every window item without the genre is a target.
    case negative

    /// `POS` or `NEG`, as in the paper's tables.
    public var description: String { self == .positive ? "POS" : "NEG" }
}

/// Which template pool a task's prompts come from; fixed by where the task was built.
///
/// Tasks built from the training parts carry ``training``, tasks built from the held-out parts
/// ``evaluation``, and ``PromptTemplates/prompt(for:seed:)`` takes the pool from the task:
/// evaluation phrasings cannot reach a training task through that API (appendix B.1: the
/// pools are disjoint).
public enum TemplatePool: String, Sendable, Codable, CaseIterable {
    /// The 20 phrasings per polarity used to train the fusion towers.
    case training
    /// The 20 held-out phrasings per polarity used only to evaluate.
    case evaluation
}

/// A promptable-recommendation task (paper §4.1.1): rank items for `user` given `history`
/// and a prompt of ``polarity`` about ``genre``; ``targets`` are the relevant items.
///
/// Built only by ``TaskBuilder`` (evaluation) and ``TrainingTaskSampler`` (training), so the
/// construction rules and the template pool cannot be bypassed.
public struct SteeringTask: Sendable, Equatable {
    /// The user's dense id in the split's dataset.
    public let user: Int
    /// POS or NEG.
    public let polarity: TaskPolarity
    /// The window N: how many future items the task looks at.
    public let window: Int
    /// The prompt's category id (an index into `SequenceDataset.categoryNames`).
    public let genre: Int32
    /// The items the model sees, chronological (a slice of the dataset's sequence).
    public let history: ArraySlice<Int32>
    /// The first N future items (fewer when the future is shorter), chronological.
    public let windowItems: [Int32]
    /// The ranking's relevant items: POS one item with the genre, NEG every window item
    /// without it (window order).
    public let targets: [Int32]
    /// The window items complying with the prompt: POS those having the genre (the target
    /// among them), NEG those lacking it (equal to ``targets``). Training re-draws the POS
    /// target from this list each epoch (README, "Promptable recommendation: DPR stages 2 and 3").
    public let compliance: [Int32]
    /// The template pool its prompts are drawn from.
    public let pool: TemplatePool

    init(
        user: Int, polarity: TaskPolarity, window: Int, genre: Int32, history: ArraySlice<Int32>,
        windowItems: [Int32], targets: [Int32], compliance: [Int32], pool: TemplatePool
    ) {
        self.user = user
        self.polarity = polarity
        self.window = window
        self.genre = genre
        self.history = history
        self.windowItems = windowItems
        self.targets = targets
        self.compliance = compliance
        self.pool = pool
    }

    /// The targets to train on for `epoch`: NEG the whole compliance list; POS one item
    /// drawn from the compliance list with a generator seeded by (seed, epoch, user, window),
    /// so it changes from epoch to epoch but not from run to run.
    public func trainingTargets(epoch: Int, seed: UInt64) -> [Int32] {
        guard polarity == .positive, compliance.count > 1 else { return polarity == .positive ? targets : compliance }
        var generator = TaskRandom.generator(
            seed: seed, TaskRandom.Purpose.redraw.rawValue, UInt64(epoch), UInt64(user), UInt64(window),
            UInt64(history.count))
        return [compliance[TaskRandom.index(compliance.count, using: &generator)]]
    }
}
