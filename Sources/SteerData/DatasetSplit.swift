// Per-user train/validation/test splits: the paper's chronological 8:1:1 and leave-one-out.

/// How each user's sequence is cut into train, validation and test parts.
public enum SplitScheme: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Chronological ratio split. For a sequence of length L and ratios a:b:c (s = a+b+c):
    /// train = the first ⌊a·L/s⌋ items, validation = up to position ⌊(a+b)·L/s⌋, test = the
    /// rest. Both cut points are floors of cumulative fractions (numpy's
    /// `split(seq, [int(.8L), int(.9L)])`), so test gets what rounding leaves over: for
    /// L = 25, 8:1:1 gives 20/2/3. This reading reproduces exactly the reference task counts
    /// (5,386 / 5,789 / 5,913 POS tasks at N = 3/5/10, published with the reference
    /// implementation's setup; see docs/evaluation.md), and the paper's 3,667 items /
    /// 1,000,155 interactions after dropping items unseen in training.
    case ratio(train: Int, validation: Int, test: Int)
    /// RecBole's leave-one-out: the last item is the test part, the one before it the
    /// validation part, the rest training. A user with two items has no validation part, a
    /// user with one item only a train part (training keeps at least one item).
    case leaveOneOut

    /// The paper's split (section 4.1.1): chronological 8:1:1.
    public static let paper = SplitScheme.ratio(train: 8, validation: 1, test: 1)

    public var description: String {
        switch self {
        case let .ratio(a, b, c): "chronological \(a):\(b):\(c)"
        case .leaveOneOut: "leave-one-out"
        }
    }

    /// (train end, validation end) for a sequence of `length` items.
    func cuts(length: Int) -> (Int, Int) {
        switch self {
        case let .ratio(a, b, c):
            let total = a + b + c
            return (a * length / total, (a + b) * length / total)
        case .leaveOneOut:
            let held = min(2, length - 1)
            return held == 2 ? (length - 2, length - 1) : (length - held, length - held)
        }
    }
}

/// Which held-out part an evaluation case predicts.
public enum EvaluationPart: String, Sendable, Codable { case validation, test }

/// One user's evaluation input: the history the model sees and the held-out future.
public struct EvaluationCase: Sendable, Equatable {
    /// The user's dense id in ``DatasetSplit/dataset``.
    public var user: Int
    /// For test: train + validation parts; for validation: the train part. Chronological.
    public var history: ArraySlice<Int32>
    /// The held-out part (test or validation), chronological, never empty.
    public var future: ArraySlice<Int32>
    /// The SEQ target: the first held-out item.
    public var target: Int32 { future.first! }
}

/// A dataset cut per user into train, validation and test parts.
///
/// Built from a ``SequenceDataset`` and a ``SplitScheme``. With `dropUnseenItems` (the default
/// for ratio splits, as in the paper), validation and test occurrences of items that occur in
/// no user's train part are removed, and those items leave the catalog: ``dataset`` is
/// re-indexed (surviving ids keep their order) and every id in the split refers to it, not to
/// the input dataset. Users left with no items at all are removed.
public struct DatasetSplit: Sendable {
    /// The scheme used.
    public let scheme: SplitScheme
    /// The dataset after dropping; its sequences are train + validation + test in order.
    public let dataset: SequenceDataset
    /// Items removed because no train part holds them.
    public let droppedItems: Int
    /// Validation and test interactions removed with them.
    public let droppedInteractions: Int
    private let trainEnds: [Int]
    private let validationEnds: [Int]

    /// Splits `dataset` with `scheme`.
    /// - Parameters:
    ///   - dataset: the full dataset.
    ///   - scheme: ``SplitScheme/paper`` by default.
    ///   - dropUnseenItems: remove val/test items absent from every train part; nil means the
    ///     scheme's convention (ratio: yes, as the paper; leave-one-out: no, as RecBole).
    /// - Throws: ``DataError`` (invalid argument) for negative ratios or a zero train ratio.
    public init(_ dataset: SequenceDataset, scheme: SplitScheme = .paper, dropUnseenItems: Bool? = nil) throws {
        var drop = false
        switch scheme {
        case let .ratio(a, b, c):
            guard a > 0, b >= 0, c >= 0 else {
                throw DataError.invalidArgument("split ratios must be train > 0, validation ≥ 0, test ≥ 0; got \(a):\(b):\(c)")
            }
            drop = dropUnseenItems ?? true
        case .leaveOneOut:
            drop = dropUnseenItems ?? false
        }
        self.scheme = scheme
        var cuts = dataset.sequences.map { scheme.cuts(length: $0.count) }
        guard drop else {
            self.dataset = dataset
            (droppedItems, droppedInteractions) = (0, 0)
            (trainEnds, validationEnds) = (cuts.map(\.0), cuts.map(\.1))
            return
        }
        var seen = [Bool](repeating: false, count: dataset.itemCount)
        for (sequence, cut) in zip(dataset.sequences, cuts) { for item in sequence[..<cut.0] { seen[Int(item)] = true } }
        var sequences: [[Int32]] = []
        var times: [[Double]] = []
        var removed = 0
        for (user, sequence) in dataset.sequences.enumerated() {
            let (trainEnd, validationEnd) = cuts[user]
            let kept = sequence.indices.filter { $0 < trainEnd || seen[Int(sequence[$0])] }
            removed += sequence.count - kept.count
            // Train positions all survive, so only the validation end moves.
            cuts[user] = (trainEnd, trainEnd + kept.count { $0 >= trainEnd && $0 < validationEnd })
            sequences.append(kept.map { sequence[$0] })
            times.append(kept.map { dataset.timestamps[user][$0] })
        }
        let survivors = sequences.indices.filter { !sequences[$0].isEmpty }
        self.dataset = dataset.rebuilt(
            keepUser: [Bool](repeating: true, count: dataset.userCount), sequences: sequences, timestamps: times)
        droppedItems = dataset.itemCount - self.dataset.itemCount
        droppedInteractions = removed
        trainEnds = survivors.map { cuts[$0].0 }
        validationEnds = survivors.map { cuts[$0].1 }
    }

    /// User `user`'s train part.
    public func train(_ user: Int) -> ArraySlice<Int32> { dataset.sequences[user][..<trainEnds[user]] }
    /// User `user`'s validation part (may be empty).
    public func validation(_ user: Int) -> ArraySlice<Int32> {
        dataset.sequences[user][trainEnds[user]..<validationEnds[user]]
    }
    /// User `user`'s test part (may be empty).
    public func test(_ user: Int) -> ArraySlice<Int32> { dataset.sequences[user][validationEnds[user]...] }

    /// Every user's train part, indexed by user.
    public var trainSequences: [ArraySlice<Int32>] { (0..<dataset.userCount).map(train) }

    /// Interactions in the train, validation and test parts.
    public var sizes: (train: Int, validation: Int, test: Int) {
        let total = dataset.interactionCount
        let train = trainEnds.reduce(0, +)
        let validation = zip(trainEnds, validationEnds).reduce(0) { $0 + $1.1 - $1.0 }
        return (train, validation, total - train - validation)
    }

    /// One case per user whose `part` is non-empty, in user order: for ``EvaluationPart/test``
    /// the history is train + validation and the future the test part; for
    /// ``EvaluationPart/validation`` the history is the train part and the future the
    /// validation part. The SEQ target is ``EvaluationCase/target``, the future's first item.
    public func cases(_ part: EvaluationPart) -> [EvaluationCase] {
        (0..<dataset.userCount).compactMap { user in
            let sequence = dataset.sequences[user]
            let cut = part == .test ? validationEnds[user] : trainEnds[user]
            let future = part == .test ? test(user) : validation(user)
            guard !future.isEmpty else { return nil }
            return EvaluationCase(user: user, history: sequence[..<cut], future: future)
        }
    }
}
