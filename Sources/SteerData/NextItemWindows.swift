// Next-item training examples: windows of at most T positions covering every target once.
import SteerRandom

/// The training examples of next-item prediction, cut into windows of at most `maxLength`.
///
/// A train sequence `s` of length L has L − 1 targets: `s[t]` predicted from `s[..<t]` for
/// t = 1..<L (the first item has no history). A causal model reads inputs `s[0..<L-1]` and
/// predicts targets `s[1..<L]` at every position. When L − 1 > T, the inputs are cut into
/// consecutive, non-overlapping windows of T positions aligned on the END (the most recent
/// window is full; the oldest one is shorter), so every target appears in exactly one window:
/// an epoch over the windows is an epoch over targets, as in RecBole (one prefix per target).
/// The price: a target early in a window sees only the window's earlier items, not T of them.
///
/// Sequences shorter than 2 yield no window.
public struct NextItemWindows: Sendable {
    /// One window: inputs are `sequence[start..<end]`, targets `sequence[start+1...end]`.
    public struct Window: Sendable, Equatable {
        /// The index of the sequence (the user, for ``DatasetSplit/trainSequences``).
        public var sequence: Int32
        /// The first input position.
        public var start: Int32
        /// One past the last input position; the last target is at `end`.
        public var end: Int32
        /// Positions (and targets) in the window.
        public var length: Int { Int(end - start) }
    }

    /// The maximum window length T.
    public let maxLength: Int
    /// All windows, in sequence order and, within a sequence, oldest first.
    public let windows: [Window]
    private let sequences: [ArraySlice<Int32>]

    /// The number of targets, one per position of every window.
    public var targetCount: Int { windows.reduce(0) { $0 + $1.length } }

    /// Cuts `sequences` into windows of at most `maxLength` positions.
    /// - Throws: ``DataError`` (invalid argument) when `maxLength < 1`.
    public init(sequences: [ArraySlice<Int32>], maxLength: Int) throws {
        guard maxLength >= 1 else { throw DataError.invalidArgument("the window length must be ≥ 1, got \(maxLength)") }
        self.maxLength = maxLength
        self.sequences = sequences
        var windows: [Window] = []
        for (index, sequence) in sequences.enumerated() where sequence.count >= 2 {
            let inputs = sequence.count - 1
            var cuts: [Int] = []
            var end = inputs
            while end > 0 {
                cuts.append(end)
                end = max(0, end - maxLength)
            }
            for end in cuts.reversed() {
                windows.append(Window(sequence: Int32(index), start: Int32(max(0, end - maxLength)), end: Int32(end)))
            }
        }
        self.windows = windows
    }

    /// The batches of one epoch: the windows shuffled with a generator seeded by `seed` and
    /// `epoch`, cut into batches of `batchSize` (the last one smaller).
    ///
    /// With `similarLengths`, each run of `batchSize × 32` shuffled windows is sorted by length
    /// before it is cut, and the batches are then shuffled again: a batch holds windows of
    /// similar lengths, so its longest row (its T) wastes little on padding, while the epoch
    /// stays a random order of every window.
    /// - Throws: ``DataError`` (invalid argument) when `batchSize < 1`.
    public func batches(size batchSize: Int, seed: UInt64, epoch: Int = 0, similarLengths: Bool = false) throws -> TrainingBatches {
        guard batchSize >= 1 else { throw DataError.invalidArgument("the batch size must be ≥ 1, got \(batchSize)") }
        var random = SeededRandom(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
        var order = Array(windows.indices)
        order.shuffle(using: &random)
        if similarLengths {
            let run = batchSize * 32
            var batches: [ArraySlice<Int>] = []
            for start in stride(from: 0, to: order.count, by: run) {
                let sorted = order[start..<min(order.count, start + run)].sorted { windows[$0].length > windows[$1].length }
                for b in stride(from: 0, to: sorted.count, by: batchSize) { batches.append(sorted[b..<min(sorted.count, b + batchSize)]) }
            }
            batches.shuffle(using: &random)
            order = batches.flatMap { $0 }
        }
        return TrainingBatches(windows: self, order: order, batchSize: batchSize)
    }

    /// Writes window `window`'s inputs and targets from `offset` on (a left-aligned row).
    func fill(_ window: Window, inputs: inout [UInt32], targets: inout [Int32], at offset: Int) {
        let sequence = sequences[Int(window.sequence)]
        let base = sequence.startIndex
        for position in 0..<window.length {
            inputs[offset + position] = UInt32(sequence[base + Int(window.start) + position])
            targets[offset + position] = sequence[base + Int(window.start) + position + 1]
        }
    }
}

/// One training batch in the layout the SequentialEncoder ABI's `forward_train` takes, so it goes
/// to a plugin as it is. Legend: B batch, T the batch's longest row.
///
/// Row b holds `lengths[b]` positions at its START (left-aligned, positions 0 ..< lengths[b]);
/// the rest of the row is padding, input id 0 (ignored by length, as the ABI does) and target
/// −1. Position t's target is the item following input t. T is the longest row of this batch,
/// not the window length: with batches of similar lengths most padding is never computed.
public struct TrainingBatch: Sendable, Equatable {
    /// B, the rows in this batch (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// T, the longest row (at least 1).
    public var time: Int
    /// [B, T] input item ids, row-major, 0 in padding.
    public var inputs: [UInt32]
    /// [B, T] target item ids, row-major, −1 in padding.
    public var targets: [Int32]
    /// [B] real positions per row.
    public var lengths: [UInt32]
    /// [B] the sequence (user) of each row.
    public var sequences: [Int32]
}

/// The batches of one epoch (see ``NextItemWindows/batches(size:seed:epoch:)``).
public struct TrainingBatches: Sequence, IteratorProtocol, Sendable {
    private let windows: NextItemWindows
    private let order: [Int]
    private let batchSize: Int
    private var position = 0

    init(windows: NextItemWindows, order: [Int], batchSize: Int) {
        self.windows = windows
        self.order = order
        self.batchSize = batchSize
    }

    /// The number of batches in the epoch.
    public var count: Int { (order.count + batchSize - 1) / batchSize }

    public mutating func next() -> TrainingBatch? {
        guard position < order.count else { return nil }
        let rows = Swift.min(batchSize, order.count - position)
        let chosen = order[position..<(position + rows)].map { windows.windows[$0] }
        let time = Swift.max(1, chosen.map(\.length).max() ?? 1)
        var batch = TrainingBatch(
            batchSize: rows, time: time, inputs: [UInt32](repeating: 0, count: rows * time),
            targets: [Int32](repeating: -1, count: rows * time), lengths: [], sequences: [])
        for (row, window) in chosen.enumerated() {
            windows.fill(window, inputs: &batch.inputs, targets: &batch.targets, at: row * time)
            batch.lengths.append(UInt32(window.length))
            batch.sequences.append(window.sequence)
        }
        position += rows
        return batch
    }
}
