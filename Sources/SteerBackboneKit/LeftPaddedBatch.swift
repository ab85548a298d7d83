// Moves between the ABI's history layouts and the left-padded rows recurrent and attention
// kernels want (the most recent item always at position T − 1, padding id −1 before it).

/// A batch of histories left-padded to `time` positions: row b holds `lengths[b]` ids at
/// positions `time − lengths[b] ..< time`; earlier positions hold −1.
public struct LeftPaddedBatch {
    public let batch: Int
    public let time: Int
    public private(set) var ids: [Int32]
    public private(set) var lengths: [Int32]

    /// From `encode`'s packed histories, keeping each one's most recent items; `time` is the
    /// longest kept history (at least 1, at most `maxTime`), so short batches cost little.
    /// - Throws: `BackboneError` naming the history of an id ≥ `nItems`.
    public init(packed itemIDs: UnsafeBufferPointer<UInt32>, lengths packedLengths: UnsafeBufferPointer<UInt32>,
                maxTime: Int, nItems: Int, context: String) throws {
        batch = packedLengths.count
        time = max(1, min(maxTime, packedLengths.map { Int($0) }.max() ?? 1))
        ids = [Int32](repeating: -1, count: batch * time)
        lengths = [Int32](repeating: 0, count: batch)
        var start = 0
        for row in 0..<batch {
            let length = Int(packedLengths[row])
            let kept = min(length, time)
            for j in 0..<kept {
                let id = itemIDs[start + length - kept + j]
                guard Int(id) < nItems else {
                    throw BackboneError("\(context): item id \(id) in history \(row) is out of range (n_items \(nItems))")
                }
                ids[row * time + time - kept + j] = Int32(id)
            }
            lengths[row] = Int32(kept)
            start += length
        }
    }

    /// From `forward_train`'s left-aligned rows (`lengths[b]` ids at positions `0..<lengths[b]`).
    /// - Throws: `BackboneError` for a length above `time` or an id ≥ `nItems`, naming row and position.
    public init(aligned itemIDs: UnsafeBufferPointer<UInt32>, lengths alignedLengths: UnsafeBufferPointer<UInt32>,
                batch: Int, time: Int, nItems: Int, context: String) throws {
        self.batch = batch
        self.time = time
        ids = [Int32](repeating: -1, count: batch * time)
        lengths = [Int32](repeating: 0, count: batch)
        for row in 0..<batch {
            let length = Int(alignedLengths[row])
            guard length <= time else { throw BackboneError("\(context): length \(length) of row \(row) exceeds time \(time)") }
            for j in 0..<length {
                let id = itemIDs[row * time + j]
                guard Int(id) < nItems else {
                    throw BackboneError("\(context): item id \(id) at row \(row), position \(j) is out of range (n_items \(nItems))")
                }
                ids[row * time + time - length + j] = Int32(id)
            }
            lengths[row] = Int32(length)
        }
    }

    /// Copies left-padded rows `[B, T, C]` to the ABI's left-aligned layout, padding written as 0.
    public static func align(_ padded: UnsafePointer<Float>, into aligned: UnsafeMutablePointer<Float>,
                             lengths: UnsafePointer<Int32>, batch: Int, time: Int, channels c: Int) {
        for row in 0..<batch {
            let length = Int(lengths[row])
            let dst = aligned + row * time * c
            dst.update(from: padded + (row * time + time - length) * c, count: length * c)
            (dst + length * c).update(repeating: 0, count: (time - length) * c)
        }
    }

    /// Copies left-aligned rows `[B, T, C]` (e.g. dLoss/dHidden) to the left-padded layout, padding 0.
    public static func pad(_ aligned: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>,
                           lengths: UnsafePointer<Int32>, batch: Int, time: Int, channels c: Int) {
        padded.update(repeating: 0, count: batch * time * c)
        for row in 0..<batch {
            let length = Int(lengths[row])
            (padded + (row * time + time - length) * c).update(from: aligned + row * time * c, count: length * c)
        }
    }

    /// The state at the last position of each row (the user vector), `[B, C]`.
    public static func lastPositions(_ padded: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                     batch: Int, time: Int, channels c: Int) {
        for row in 0..<batch { (out + row * c).update(from: padded + ((row + 1) * time - 1) * c, count: c) }
    }
}
