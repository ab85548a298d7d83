// Iterative k-core filtering: keep users and items with at least k interactions.

extension SequenceDataset {
    /// The k-core of the dataset: users and items are removed, repeatedly, until every user
    /// has at least `k` interactions and every item occurs in at least `k` (removing a user
    /// can push an item below `k` and the reverse, hence the iteration to a fixed point).
    ///
    /// Surviving users and items keep their relative id order; sequences keep their order.
    /// - Parameter k: the minimum count, at least 1 (`1` returns the dataset unchanged).
    /// - Throws: ``DataError`` (invalid argument) when `k < 1`.
    public func kCore(_ k: Int) throws -> SequenceDataset {
        guard k >= 1 else { throw DataError.invalidArgument("k-core needs k ≥ 1, got \(k)") }
        var keepUser = [Bool](repeating: true, count: userCount)
        var keepItem = [Bool](repeating: true, count: itemCount)
        var userDegree = sequences.map(\.count)
        var itemDegree = [Int](repeating: 0, count: itemCount)
        for sequence in sequences { for item in sequence { itemDegree[Int(item)] += 1 } }
        var changed = true
        while changed {
            changed = false
            for user in 0..<userCount where keepUser[user] && userDegree[user] < k {
                keepUser[user] = false
                changed = true
                for item in sequences[user] where keepItem[Int(item)] { itemDegree[Int(item)] -= 1 }
            }
            for item in 0..<itemCount where keepItem[item] && itemDegree[item] < k {
                keepItem[item] = false
                changed = true
            }
            if changed {
                // Recount user degrees over surviving items.
                for user in 0..<userCount where keepUser[user] {
                    userDegree[user] = sequences[user].reduce(0) { $0 + (keepItem[Int($1)] ? 1 : 0) }
                }
                itemDegree = [Int](repeating: 0, count: itemCount)
                for user in 0..<userCount where keepUser[user] {
                    for item in sequences[user] where keepItem[Int(item)] { itemDegree[Int(item)] += 1 }
                }
            }
        }
        var newSequences: [[Int32]] = []
        var newTimes: [[Double]] = []
        for user in 0..<userCount {
            let positions = sequences[user].indices.filter { keepUser[user] && keepItem[Int(sequences[user][$0])] }
            newSequences.append(positions.map { sequences[user][$0] })
            newTimes.append(positions.map { timestamps[user][$0] })
        }
        return rebuilt(keepUser: keepUser, sequences: newSequences, timestamps: newTimes)
    }
}
