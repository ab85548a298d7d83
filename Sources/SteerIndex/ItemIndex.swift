// ItemIndex: the immutable catalogue the daemon retrieves from (embeddings, category bitsets, names).

/// The item catalogue: one `dimension`-long float32 embedding per item plus its categories.
///
/// Shapes (legend: V items, C channels = `dimension`, W = ``wordsPerItem``):
/// `embeddings` is V×C row-major, `categoryWords` is V×W, bit `c % 64` of word `c / 64`
/// set when the item belongs to category `c`.
///
/// Immutable after `init`, hence `Sendable` and safe to share across threads; the daemon swaps
/// whole indexes rather than mutating one. Every initializer validates its input completely.
public final class ItemIndex: Sendable {
    /// Largest `k` a retrieval accepts.
    public static let maxK = 100_000
    /// Largest number of categories (bitset width) an index accepts.
    public static let maxCategories = 65_536
    /// Largest embedding dimension accepted.
    public static let maxDimension = 65_536

    /// Number of items V; item ids are `0..<count`.
    public let count: Int
    /// Embedding dimension C.
    public let dimension: Int
    /// V×C row-major embeddings.
    public let embeddings: [Float]
    /// Number of categories; category ids are `0..<categoryCount`.
    public let categoryCount: Int
    /// 64-bit words per item in ``categoryWords``: `ceil(categoryCount / 64)`.
    public let wordsPerItem: Int
    /// V×W category bitsets.
    public let categoryWords: [UInt64]
    /// Optional display names, one per category.
    public let categoryNames: [String]?
    /// Optional titles, one per item.
    public let titles: [String]?
    /// The largest L2 norm of an item embedding (0 for an empty index). By Cauchy–Schwarz every
    /// score, and every partial sum BLAS forms on the way, is at most ‖query‖ · this, which is how
    /// a retrieval refuses a finite query whose scores could overflow Float before scoring it.
    public let maxItemNorm: Double

    /// Creates an index from per-item category id lists.
    ///
    /// - Parameters:
    ///   - embeddings: V×C row-major, all finite; V is `embeddings.count / dimension`.
    ///   - dimension: C, at least 1.
    ///   - itemCategories: V lists of category ids, each below `categoryCount` (duplicates allowed).
    ///   - categoryCount: number of categories (may be 0).
    ///   - categoryNames: `nil` or exactly `categoryCount` names.
    ///   - titles: `nil` or exactly V titles.
    /// - Throws: ``ItemIndexError`` naming the first inconsistency.
    public convenience init(
        embeddings: [Float], dimension: Int, itemCategories: [[UInt32]], categoryCount: Int,
        categoryNames: [String]? = nil, titles: [String]? = nil
    ) throws {
        guard categoryCount >= 0, categoryCount <= Self.maxCategories else {
            throw ItemIndexError.limitExceeded("\(categoryCount) categories, at most \(Self.maxCategories)")
        }
        let w = (categoryCount + 63) / 64
        var words = [UInt64](repeating: 0, count: itemCategories.count * w)
        for (item, ids) in itemCategories.enumerated() {
            for id in ids {
                guard Int(id) < categoryCount else {
                    throw ItemIndexError.unknownCategory(id, count: categoryCount, context: "the categories of item \(item)")
                }
                words[item * w + Int(id) / 64] |= 1 << UInt64(id % 64)
            }
        }
        guard dimension > 0, embeddings.count == itemCategories.count * dimension else {
            throw ItemIndexError.shapeMismatch(
                "\(embeddings.count) embedding values for \(itemCategories.count) items of dimension \(dimension)")
        }
        try self.init(
            embeddings: embeddings, dimension: dimension, categoryWords: words, categoryCount: categoryCount,
            categoryNames: categoryNames, titles: titles)
    }

    /// Creates an index from packed category bitsets (the persisted form).
    ///
    /// - Parameters:
    ///   - categoryWords: V×W words, W = `ceil(categoryCount / 64)`; bits at or above
    ///     `categoryCount` must be clear.
    ///   - (others as in ``init(embeddings:dimension:itemCategories:categoryCount:categoryNames:titles:)``)
    /// - Throws: ``ItemIndexError`` naming the first inconsistency.
    public init(
        embeddings: [Float], dimension: Int, categoryWords: [UInt64], categoryCount: Int,
        categoryNames: [String]? = nil, titles: [String]? = nil
    ) throws {
        guard dimension > 0, dimension <= Self.maxDimension else {
            throw ItemIndexError.limitExceeded("dimension \(dimension), must be in 1...\(Self.maxDimension)")
        }
        guard categoryCount >= 0, categoryCount <= Self.maxCategories else {
            throw ItemIndexError.limitExceeded("\(categoryCount) categories, at most \(Self.maxCategories)")
        }
        guard embeddings.count % dimension == 0 else {
            throw ItemIndexError.shapeMismatch("\(embeddings.count) embedding values is not a multiple of dimension \(dimension)")
        }
        let n = embeddings.count / dimension
        // BLAS takes 32-bit sizes; item ids are UInt32.
        guard n <= Int(Int32.max) else { throw ItemIndexError.limitExceeded("\(n) items, at most \(Int32.max)") }
        let w = (categoryCount + 63) / 64
        guard categoryWords.count == n * w else {
            throw ItemIndexError.shapeMismatch("\(categoryWords.count) category words for \(n) items × \(w) words")
        }
        if let i = embeddings.firstIndex(where: { !$0.isFinite }) {
            throw ItemIndexError.nonFinite("embedding of item \(i / dimension), component \(i % dimension) is \(embeddings[i])")
        }
        if w > 0, categoryCount % 64 != 0 {
            let spare = ~((1 << UInt64(categoryCount % 64)) - 1) as UInt64
            for item in 0..<n where categoryWords[item * w + w - 1] & spare != 0 {
                let bit = UInt32((w - 1) * 64) + UInt32((categoryWords[item * w + w - 1] & spare).trailingZeroBitCount)
                throw ItemIndexError.unknownCategory(bit, count: categoryCount, context: "the categories of item \(item)")
            }
        }
        if let names = categoryNames, names.count != categoryCount {
            throw ItemIndexError.shapeMismatch("\(names.count) category names for \(categoryCount) categories")
        }
        if let titles, titles.count != n {
            throw ItemIndexError.shapeMismatch("\(titles.count) titles for \(n) items")
        }
        self.count = n
        self.dimension = dimension
        self.embeddings = embeddings
        self.categoryCount = categoryCount
        self.wordsPerItem = w
        self.categoryWords = categoryWords
        self.categoryNames = categoryNames
        self.titles = titles
        self.maxItemNorm = embeddings.withUnsafeBufferPointer { e in
            var largest = 0.0
            for item in 0..<n {
                var sum = 0.0
                for c in (item * dimension)..<((item + 1) * dimension) { sum += Double(e[c]) * Double(e[c]) }
                largest = max(largest, sum)
            }
            return largest.squareRoot()
        }
    }

    /// The embedding of `item` (a C-long slice of ``embeddings``). `item` must be below ``count``.
    public func embedding(of item: UInt32) -> ArraySlice<Float> {
        precondition(Int(item) < count, "item \(item) out of range 0..<\(count)")
        let start = Int(item) * dimension
        return embeddings[start..<start + dimension]
    }

    /// The sorted category ids of `item`. `item` must be below ``count``.
    public func categories(of item: UInt32) -> [UInt32] {
        precondition(Int(item) < count, "item \(item) out of range 0..<\(count)")
        var out: [UInt32] = []
        for j in 0..<wordsPerItem {
            var word = categoryWords[Int(item) * wordsPerItem + j]
            while word != 0 {
                out.append(UInt32(j * 64 + word.trailingZeroBitCount))
                word &= word - 1
            }
        }
        return out
    }

    /// Whether `item` belongs to `category`; false for unknown ids.
    public func item(_ item: UInt32, hasCategory category: UInt32) -> Bool {
        guard Int(item) < count, Int(category) < categoryCount else { return false }
        return categoryWords[Int(item) * wordsPerItem + Int(category) / 64] & (1 << UInt64(category % 64)) != 0
    }

    /// The id of the category called `name` (exact match), if names are present.
    ///
    /// - Complexity: O(categoryCount).
    public func categoryID(named name: String) -> UInt32? {
        categoryNames?.firstIndex(of: name).map { UInt32($0) }
    }
}
