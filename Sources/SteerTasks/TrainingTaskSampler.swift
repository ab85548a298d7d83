// Training tasks from the training parts: seeded cut points per user and epoch (DPR stages 2–3).

public import SteerData

/// Samples POS and NEG tasks from the training parts only, so nothing held out leaks into
/// training (the validation and test parts are never read).
///
/// **Cut points.** For a user whose train part has L items, a cut c splits it into history =
/// train[..<c] and future = train[c...]. Valid cuts are `minimumHistory ... L − 2`, so the
/// history holds at least ``Configuration/minimumHistory`` items and the future at least two
/// (a window needs a first item and one more). Each epoch draws
/// ``Configuration/tasksPerUser`` distinct cuts uniformly among the valid ones (all of them
/// when there are fewer), and for each cut a window N uniformly from
/// ``Configuration/windows``; the window holds train[c ..< min(c + N, L)]. Each cut yields a
/// POS task and a NEG task when the rules of ``TaskRules`` allow (the same rules as at
/// evaluation), so one epoch gives at most 2 × tasksPerUser tasks per user.
///
/// **Seeding.** Every draw is seeded by (seed, epoch, user, …): an epoch's tasks are
/// reproducible, differ from the next epoch's, and do not depend on the order users are
/// visited. The POS target is itself a draw; ``SteeringTask/trainingTargets(epoch:seed:)``
/// re-draws it from the compliance list when a task set is kept across epochs.
public struct TrainingTaskSampler: Sendable {
    /// How many tasks to draw and from where.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Cut points drawn per user and epoch (each gives up to one POS and one NEG task).
        public var tasksPerUser: Int
        /// The windows N a cut's window is drawn from.
        public var windows: [Int]
        /// The fewest history items a cut leaves.
        public var minimumHistory: Int
        /// The base seed.
        public var seed: UInt64
        /// DIAGNOSTIC ONLY. Draws cuts from each user's whole sequence, validation and test parts
        /// included, so test windows become training tasks: it measures how much a protocol that
        /// leaks the held-out parts into stages 2–3 inflates the Table-1 figures. Never set for a
        /// model whose figures are reported as results. Default false.
        public var leaksHeldOutParts = false

        /// Defaults: 4 cuts per user (≈ 6,040 × 4 × 1.6 ≈ 39k tasks per ML-1M epoch, about
        /// one twentieth of the next-item targets), N ∈ {3, 5, 10} as at evaluation, at least
        /// 3 history items (a backbone's state over fewer says little about the user).
        public init(tasksPerUser: Int = 4, windows: [Int] = TaskBuilder.paperWindows, minimumHistory: Int = 3, seed: UInt64 = TaskBuilder.defaultSeed) {
            self.tasksPerUser = tasksPerUser
            self.windows = windows
            self.minimumHistory = minimumHistory
            self.seed = seed
        }
    }

    /// The split whose train parts are sampled.
    public let split: DatasetSplit
    /// The sampling settings.
    public let configuration: Configuration

    /// A sampler over `split`'s train parts.
    /// - Throws: ``TasksError`` (invalid setting) for tasksPerUser < 1, no windows, a window
    ///   below 2, or minimumHistory < 1.
    public init(split: DatasetSplit, configuration: Configuration = Configuration()) throws {
        guard configuration.tasksPerUser >= 1 else {
            throw TasksError.invalidSetting("tasksPerUser must be ≥ 1, got \(configuration.tasksPerUser)")
        }
        guard !configuration.windows.isEmpty, configuration.windows.allSatisfy({ $0 >= 2 }) else {
            throw TasksError.invalidSetting("training windows must be ≥ 2 and not empty, got \(configuration.windows)")
        }
        guard configuration.minimumHistory >= 1 else {
            throw TasksError.invalidSetting("minimumHistory must be ≥ 1, got \(configuration.minimumHistory)")
        }
        self.split = split
        self.configuration = configuration
    }

    /// The cut points of `user` in `epoch`, ascending.
    public func cuts(user: Int, epoch: Int) -> [Int] {
        let length = sequence(user).count
        let (low, high) = (configuration.minimumHistory, length - 2)
        guard high >= low else { return [] }
        let valid = high - low + 1
        var generator = TaskRandom.generator(
            seed: configuration.seed, TaskRandom.Purpose.trainingCuts.rawValue, UInt64(epoch), UInt64(user))
        guard valid > configuration.tasksPerUser else { return Array(low...high) }
        // Floyd's algorithm: k distinct values with k draws, whatever the range's size.
        var chosen = Set<Int>()
        for j in (valid - configuration.tasksPerUser)..<valid {
            let draw = TaskRandom.index(j + 1, using: &generator)
            chosen.insert(chosen.contains(draw) ? j : draw)
        }
        return chosen.map { low + $0 }.sorted()
    }

    /// What cuts are drawn from: the train part (always, unless the leakage diagnostic is on).
    private func sequence(_ user: Int) -> ArraySlice<Int32> {
        configuration.leaksHeldOutParts ? split.dataset.sequences[user][...] : split.train(user)
    }

    /// The tasks of `user` in `epoch`: for each cut, its POS task then its NEG task.
    public func tasks(user: Int, epoch: Int) -> [SteeringTask] {
        let train = sequence(user)
        let categories = split.dataset.itemCategories
        let base = train.startIndex
        var result: [SteeringTask] = []
        for cut in cuts(user: user, epoch: epoch) {
            let coordinates = [UInt64(epoch), UInt64(user), UInt64(cut)]
            var windowGenerator = TaskRandom.generator(
                seed: configuration.seed, [TaskRandom.Purpose.trainingWindow.rawValue] + coordinates)
            let window = configuration.windows[TaskRandom.index(configuration.windows.count, using: &windowGenerator)]
            let (pos, neg) = TaskBuilder.build(
                user: user, history: train[base..<(base + cut)], future: train[(base + cut)...], window: window,
                categories: categories, pool: .training,
                positiveGenerator: TaskRandom.generator(seed: configuration.seed, [TaskRandom.Purpose.positive.rawValue] + coordinates),
                negativeGenerator: TaskRandom.generator(seed: configuration.seed, [TaskRandom.Purpose.negative.rawValue] + coordinates))
            if let pos { result.append(pos) }
            if let neg { result.append(neg) }
        }
        return result
    }

    /// Every user's tasks in `epoch`, in user order (shuffle them for SGD).
    public func tasks(epoch: Int) -> [SteeringTask] {
        (0..<split.dataset.userCount).flatMap { tasks(user: $0, epoch: epoch) }
    }
}
