// Histories as a left-padded [B, T] id matrix with lengths: the backbone's input layout.

/// Histories truncated to their last `maxLength` items and left-padded, the same layout as
/// ``TrainingBatch`` (legend: B histories, T maximum length).
///
/// Row b holds `lengths[b]` real ids at its end; the padding before them is id 0, a valid
/// item id that the encoder must ignore by length. An empty history has length 0.
public struct PaddedHistories: Sendable, Equatable {
    /// T, the row length.
    public let maxLength: Int
    /// [B, T] item ids, row-major, 0 in padding.
    public private(set) var inputs: [Int32]
    /// [B] real ids per row (at most T).
    public private(set) var lengths: [Int32]

    /// B, the number of rows.
    public var count: Int { lengths.count }

    /// Keeps the last `maxLength` items of each history (the most recent ones).
    /// - Throws: ``DataError`` (invalid argument) when `maxLength < 1`.
    public init<C: Collection>(_ histories: [C], maxLength: Int) throws where C.Element == Int32 {
        guard maxLength >= 1 else { throw DataError.invalidArgument("the history length must be ≥ 1, got \(maxLength)") }
        self.maxLength = maxLength
        inputs = [Int32](repeating: 0, count: histories.count * maxLength)
        lengths = []
        lengths.reserveCapacity(histories.count)
        for (row, history) in histories.enumerated() {
            let kept = history.suffix(maxLength)
            let offset = row * maxLength + (maxLength - kept.count)
            for (position, item) in kept.enumerated() { inputs[offset + position] = item }
            lengths.append(Int32(kept.count))
        }
    }
}
