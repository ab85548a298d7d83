// The reference retrieval: plain Swift loops and a full sort, for tests and benchmarks.

/// A deliberately simple implementation of `ItemIndex.retrieve(_:k:)`
/// (same validation, same filters, same order) used as the oracle in tests and as the
/// baseline in `steer bench retrieve`.
public enum NaiveRetrieval {
    /// Scores every item with a scalar loop, filters, sorts all survivors and keeps `k`.
    ///
    /// - Throws: ``ItemIndexError``, exactly as `ItemIndex.retrieve(_:k:)`.
    /// - Complexity: O(B·V·C + B·V·log V).
    public static func retrieve(_ queries: [RetrievalQuery], k: Int, in index: ItemIndex) throws -> [[ScoredItem]] {
        _ = try QueryFilter.validate(queries, k: k, index: index)
        return queries.map { query in
            let excluded = Set(query.excludeItems)
            var candidates: [ScoredItem] = []
            for item in 0..<index.count {
                let id = UInt32(item)
                if excluded.contains(id) { continue }
                let has = { (c: UInt32) in index.item(id, hasCategory: c) }
                if !query.requireCategories.isEmpty, !query.requireCategories.contains(where: has) { continue }
                if query.excludeCategories.contains(where: has) { continue }
                var s: Float = 0
                for c in 0..<index.dimension { s += index.embeddings[item * index.dimension + c] * query.vector[c] }
                if s.isNaN { continue }
                candidates.append(ScoredItem(item: id, score: s))
            }
            candidates.sort(by: ScoredItem.ranksBefore)
            return Array(candidates.prefix(k))
        }
    }
}
