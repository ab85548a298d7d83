// Converts the data pipeline's left-padded batches into the backbone ABI's left-aligned rows.
import SteerData

/// A training batch as the SequentialEncoder ABI takes it: row b holds `lengths[b]` ids at
/// positions `0..<lengths[b]` (left-aligned), targets in the same places, −1 elsewhere.
/// The batch is trimmed to its longest row: with length-sorted batches most padding goes.
struct AlignedBatch {
    var rows: Int
    var time: Int
    var ids: [UInt32]
    var lengths: [UInt32]
    var targets: [Int32]

    init(_ batch: TrainingBatch) {
        rows = batch.batchSize
        time = max(1, Int(batch.lengths.max() ?? 1))
        ids = [UInt32](repeating: 0, count: rows * time)
        targets = [Int32](repeating: -1, count: rows * time)
        lengths = batch.lengths.map { UInt32($0) }
        for row in 0..<rows {
            let length = Int(batch.lengths[row])
            let from = row * batch.maxLength + batch.maxLength - length, to = row * time
            for j in 0..<length {
                ids[to + j] = UInt32(batch.inputs[from + j])
                targets[to + j] = batch.targets[from + j]
            }
        }
    }

    var targetCount: Int { lengths.reduce(0) { $0 + Int($1) } }
}
