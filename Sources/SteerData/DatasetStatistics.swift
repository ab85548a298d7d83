// Summary figures of a dataset (the paper's Appendix A table).

/// Users, items, interactions, average sequence length and sparsity of a dataset.
public struct DatasetStatistics: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The number of users.
    public var users: Int
    /// The number of items.
    public var items: Int
    /// The number of interactions.
    public var interactions: Int
    /// Interactions per user.
    public var averageLength: Double
    /// `1 − interactions / (users × items)`.
    public var sparsity: Double

    public var description: String {
        let average = (averageLength * 100).rounded() / 100
        let sparse = (sparsity * 10000).rounded() / 100
        return "\(users) users, \(items) items, \(interactions) interactions, average length \(average), sparsity \(sparse)%"
    }
}

extension SequenceDataset {
    /// The dataset's summary figures.
    public var statistics: DatasetStatistics {
        let interactions = interactionCount
        let cells = Double(userCount) * Double(itemCount)
        return DatasetStatistics(
            users: userCount, items: itemCount, interactions: interactions,
            averageLength: userCount == 0 ? 0 : Double(interactions) / Double(userCount),
            sparsity: cells == 0 ? 0 : 1 - Double(interactions) / cells)
    }
}
