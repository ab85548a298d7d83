// Exact top-K retrieval by inner product on OpenBLAS: sgemv for one query, sgemm for a batch.
internal import COpenBLAS
internal import CSteerScan

extension ItemIndex {
    /// Cap on the B×V score matrix of one chunk (16 Mi floats = 64 MiB), whatever the batch size.
    static let maxScoreFloats = 16 << 20

    /// Returns the exact top `k` items of each query, best first.
    ///
    /// Every item is scored (`score = query · embedding`), then filtered: excluded items and
    /// items in an excluded category are dropped, and if `requireCategories` is not empty an
    /// item must be in at least one of them. Results are ordered by score descending, ties by
    /// ascending item id; fewer than `k` results come back when fewer items pass the filters.
    ///
    /// - Parameters:
    ///   - queries: B queries; all are validated before any is scored.
    ///   - k: results per query, in `1...ItemIndex.maxK`.
    /// - Throws: ``ItemIndexError``: `invalidK`, `dimensionMismatch`, `nonFinite`, `unknownItem`, `unknownCategory`.
    /// - Returns: B result lists, in query order.
    /// - Complexity: O(B·V·C) multiply-adds in BLAS plus O(B·V·log k) selection; memory
    ///   O(min(B, 16Mi/V)·V) for scores.
    public func retrieve(_ queries: [RetrievalQuery], k: Int) throws -> [[ScoredItem]] {
        try retrieve(queries, k: k, scoreBudget: Self.maxScoreFloats)
    }

    /// `retrieve(_:k:)` with an explicit cap on score-matrix floats per chunk (tests force small chunks).
    func retrieve(_ queries: [RetrievalQuery], k: Int, scoreBudget: Int) throws -> [[ScoredItem]] {
        let filters = try QueryFilter.validate(queries, k: k, index: self)
        guard count > 0 else { return Array(repeating: [], count: queries.count) }
        let n = count, d = dimension
        let rowsPerChunk = max(1, min(queries.count, scoreBudget / n))
        var scores = [Float](repeating: 0, count: rowsPerChunk * n)
        var packed = [Float](repeating: 0, count: rowsPerChunk > 1 ? rowsPerChunk * d : 0)
        var excluded = [UInt64](repeating: 0, count: (n + 63) / 64)
        var results: [[ScoredItem]] = []
        results.reserveCapacity(queries.count)
        var start = 0
        while start < queries.count {
            let rows = min(rowsPerChunk, queries.count - start)
            if rows == 1 {
                scoreOne(queries[start].vector, into: &scores)
            } else {
                // Q is rows×C row-major, one query per row.
                for r in 0..<rows { packed.replaceSubrange(r * d..<(r + 1) * d, with: queries[start + r].vector) }
                scoreBatch(packed, rows: rows, into: &scores)
            }
            scores.withUnsafeBufferPointer { all in
                for r in 0..<rows {
                    let row = UnsafeBufferPointer(rebasing: all[r * n..<(r + 1) * n])
                    results.append(select(row, filters[start + r], k: k, excluded: &excluded))
                }
            }
            start += rows
        }
        return results
    }

    /// Returns the exact top `k` items of one query; see `retrieve(_:k:)` (batch).
    public func retrieve(_ query: RetrievalQuery, k: Int) throws -> [ScoredItem] {
        try retrieve([query], k: k)[0]
    }

    /// Returns the unfiltered scores `vector · embedding(i)` of all V items (for full-ranking evaluation).
    ///
    /// - Throws: ``ItemIndexError`` `dimensionMismatch` or `nonFinite`.
    public func scores(for vector: [Float]) throws -> [Float] {
        _ = try QueryFilter(RetrievalQuery(vector: vector), position: 0, index: self)
        var out = [Float](repeating: 0, count: count)
        if count > 0 { scoreOne(vector, into: &out) }
        return out
    }

    /// scores[i] = Σ_c E[i, c] · q[c]   (V×C times C → V)
    private func scoreOne(_ q: [Float], into scores: inout [Float]) {
        let n = Int32(count), d = Int32(dimension)
        embeddings.withUnsafeBufferPointer { e in
            q.withUnsafeBufferPointer { x in
                scores.withUnsafeMutableBufferPointer { y in
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, d, 1, e.baseAddress, d, x.baseAddress, 1, 0, y.baseAddress, 1)
                }
            }
        }
    }

    /// scores[b, i] = Σ_c Q[b, c] · E[i, c]   (B×C times (V×C)ᵀ → B×V)
    private func scoreBatch(_ q: [Float], rows: Int, into scores: inout [Float]) {
        let n = Int32(count), d = Int32(dimension), b = Int32(rows)
        embeddings.withUnsafeBufferPointer { e in
            q.withUnsafeBufferPointer { x in
                scores.withUnsafeMutableBufferPointer { s in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, b, n, d,
                        1, x.baseAddress, d, e.baseAddress, d, 0, s.baseAddress, n)
                }
            }
        }
    }

    /// Filters one row of scores and keeps the best `k`. `excluded` is an all-zero V-bit scratch
    /// bitset on entry and on exit (marking and unmarking costs O(|excludeItems|), not O(V)).
    ///
    /// Once the heap is full, almost every score falls below its threshold, so scores are tested
    /// 16 at a time (`steer_first_block_above`, vector compares) and a block with none above the
    /// threshold is skipped whole. Items are still offered in ascending id order, so the result is
    /// the one a plain scan gives.
    private func select(
        _ scores: UnsafeBufferPointer<Float>, _ filter: QueryFilter, k: Int, excluded: inout [UInt64]
    ) -> [ScoredItem] {
        for item in filter.excludedItems { excluded[Int(item) >> 6] |= 1 << UInt64(item & 63) }
        defer { for item in filter.excludedItems { excluded[Int(item) >> 6] = 0 } }
        var top = TopK(k: min(k, count))
        let checkItems = !filter.excludedItems.isEmpty
        let checkCategories = !(filter.require.isEmpty && filter.exclude.isEmpty)
        let w = wordsPerItem
        let n = scores.count
        categoryWords.withUnsafeBufferPointer { words in
            excluded.withUnsafeBufferPointer { ex in
                @inline(__always)
                func consider(_ i: Int) {
                    let s = scores[i]
                    // Items arrive in ascending id order, so an equal score never displaces a kept item.
                    // The comparison also rejects NaN (possible only from overflowing products).
                    if top.isFull ? !(s > top.threshold) : s.isNaN { return }
                    if checkItems, ex[i >> 6] & (1 << UInt64(i & 63)) != 0 { return }
                    if checkCategories, !filter.keepsCategories(of: i, words, w) { return }
                    top.offer(ScoredItem(item: UInt32(i), score: s))
                }
                var i = 0
                while i < n, !top.isFull {
                    consider(i)
                    i += 1
                }
                if let base = scores.baseAddress {
                    while true {
                        let block = steer_first_block_above(base, n, i, top.threshold)
                        if block + 16 > n {
                            i = block
                            break
                        }
                        for j in block..<(block + 16) { consider(j) }
                        i = block + 16
                    }
                }
                while i < n {
                    consider(i)
                    i += 1
                }
            }
        }
        return top.sorted()
    }
}
