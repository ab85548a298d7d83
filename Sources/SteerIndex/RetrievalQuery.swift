// The request and result types of exact top-K retrieval.

/// One retrieval request: a query vector and the filters applied to its candidates.
public struct RetrievalQuery: Sendable, Equatable {
    /// The query vector (C-long, finite); items are scored by inner product with it.
    public var vector: [Float]
    /// Items never returned (e.g. the user's history).
    public var excludeItems: [UInt32]
    /// Keep only items in at least one of these categories; empty means no requirement.
    public var requireCategories: [UInt32]
    /// Drop items in any of these categories (applied after `requireCategories`).
    public var excludeCategories: [UInt32]

    /// Creates a query; every filter defaults to empty.
    public init(
        vector: [Float], excludeItems: [UInt32] = [], requireCategories: [UInt32] = [],
        excludeCategories: [UInt32] = []
    ) {
        self.vector = vector
        self.excludeItems = excludeItems
        self.requireCategories = requireCategories
        self.excludeCategories = excludeCategories
    }
}

/// One retrieved item with its inner-product score.
public struct ScoredItem: Equatable, Hashable, Sendable {
    /// The item id.
    public var item: UInt32
    /// `query · embedding(item)`.
    public var score: Float

    public init(item: UInt32, score: Float) {
        self.item = item
        self.score = score
    }

    /// The result order: higher score first, ties by ascending item id, so results are deterministic.
    @inlinable
    public static func ranksBefore(_ a: ScoredItem, _ b: ScoredItem) -> Bool {
        a.score > b.score || (a.score == b.score && a.item < b.item)
    }
}
