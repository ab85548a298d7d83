// Validation of retrieval requests and their filters compiled to bitset masks.

/// A query's filters as masks over the index's category words, plus its excluded item ids.
///
/// Shared by the BLAS path and ``NaiveRetrieval`` so both refuse exactly the same requests.
struct QueryFilter {
    /// W words; empty when the query requires nothing.
    let require: [UInt64]
    /// W words; empty when the query excludes no category.
    let exclude: [UInt64]
    /// Validated item ids (< V) never to return.
    let excludedItems: [UInt32]

    /// Validates `query` (number `position` in its batch) against `index`.
    init(_ query: RetrievalQuery, position: Int, index: ItemIndex) throws(ItemIndexError) {
        guard query.vector.count == index.dimension else {
            throw .dimensionMismatch(query: position, got: query.vector.count, expected: index.dimension)
        }
        if let i = query.vector.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite("query \(position), component \(i) is \(query.vector[i])")
        }
        try Self.checkRange(query.vector, position: position, index: index)
        for item in query.excludeItems where Int(item) >= index.count {
            throw .unknownItem(item, count: index.count, context: "excludeItems of query \(position)")
        }
        require = try Self.mask(query.requireCategories, index, "requireCategories of query \(position)")
        exclude = try Self.mask(query.excludeCategories, index, "excludeCategories of query \(position)")
        excludedItems = query.excludeItems
    }

    /// Largest score magnitude allowed: half of Float's range, a margin for rounding in the sums.
    static let scoreLimit = Double(Float.greatestFiniteMagnitude) / 2

    /// Refuses a finite query whose scores could overflow to ±inf (or inf − inf = NaN): every
    /// score is bounded by ‖q‖ · `maxItemNorm` (Cauchy–Schwarz), checked before any is computed.
    /// O(C) per query, computed in Double, where squares of any Float stay finite.
    private static func checkRange(_ vector: [Float], position: Int, index: ItemIndex) throws(ItemIndexError) {
        var sum = 0.0
        for v in vector { sum += Double(v) * Double(v) }
        let norm = sum.squareRoot()
        guard norm * index.maxItemNorm > scoreLimit else { return }
        // Doubles in the message: the norm of a finite Float vector may itself exceed Float's range.
        throw .outOfRange("query \(position) has norm \(norm) and the largest item embedding norm is \(index.maxItemNorm), "
            + "so its scores could reach \(norm * index.maxItemNorm), beyond what Float holds (\(Float.greatestFiniteMagnitude)); "
            + "for this index a query's norm must be at most \(scoreLimit / index.maxItemNorm)")
    }

    private static func mask(_ ids: [UInt32], _ index: ItemIndex, _ context: String) throws(ItemIndexError) -> [UInt64] {
        guard !ids.isEmpty else { return [] }
        var words = [UInt64](repeating: 0, count: index.wordsPerItem)
        for id in ids {
            guard Int(id) < index.categoryCount else {
                throw .unknownCategory(id, count: index.categoryCount, context: context)
            }
            words[Int(id) / 64] |= 1 << UInt64(id % 64)
        }
        return words
    }

    /// Whether the category filters keep `item` (item exclusion is handled by the caller's bitset).
    @inline(__always)
    func keepsCategories(of item: Int, _ words: UnsafeBufferPointer<UInt64>, _ w: Int) -> Bool {
        let base = item * w
        if !require.isEmpty {
            var any: UInt64 = 0
            for j in 0..<w { any |= words[base + j] & require[j] }
            if any == 0 { return false }
        }
        if !exclude.isEmpty {
            for j in 0..<w where words[base + j] & exclude[j] != 0 { return false }
        }
        return true
    }

    /// Validates a whole batch and `k`.
    static func validate(_ queries: [RetrievalQuery], k: Int, index: ItemIndex) throws(ItemIndexError) -> [QueryFilter] {
        guard k >= 1, k <= ItemIndex.maxK else { throw .invalidK(k, max: ItemIndex.maxK) }
        var out: [QueryFilter] = []
        out.reserveCapacity(queries.count)
        for (i, q) in queries.enumerated() { out.append(try QueryFilter(q, position: i, index: index)) }
        return out
    }
}
