// Full-ranking evaluation: score every item for every user with sgemm, mask, take top-K.

internal import COpenBLAS

/// Ranks all items for each user and measures NDCG@K and Recall@K against target sets.
///
/// Scores are `user · item (+ item bias)` computed with `cblas_sgemm` over chunks of users,
/// so memory stays bounded by ``maxChunkScores`` floats whatever the number of users.
///
/// **Exclusions.** Each user's excluded items (pass the history: MovieLens has no repeated
/// interactions, so an item already seen is never a valid next item) are removed from the
/// ranking. A target is never excluded, even when it also occurs in the history. An optional
/// per-user candidate set restricts the ranking further (the Filter baselines).
///
/// **Ties.** Equal scores rank by item id ascending, so results do not depend on scan order.
public struct FullRankingEvaluator: Sendable {
    /// The cutoffs K, ascending (default 10 and 20).
    public let cutoffs: [Int]
    /// The maximum number of scores held at once (users per chunk × items); default 2^20
    /// floats, 4 MiB: large enough for sgemm to run at full speed (≈ 280 ML-1M users per
    /// call), small enough to stay in cache and avoid page-faulting a fresh buffer.
    public let maxChunkScores: Int

    /// - Parameters:
    ///   - cutoffs: the K of NDCG@K and Recall@K, each ≥ 1.
    ///   - maxChunkScores: the scores buffer's bound in floats (at least one row is used).
    /// - Throws: ``EvaluationError`` (invalid setting) for empty or non-positive cutoffs.
    public init(cutoffs: [Int] = [10, 20], maxChunkScores: Int = 1 << 20) throws {
        guard !cutoffs.isEmpty, cutoffs.allSatisfy({ $0 >= 1 }) else {
            throw EvaluationError.invalidSetting("cutoffs must be ≥ 1 and not empty, got \(cutoffs)")
        }
        self.cutoffs = Array(Set(cutoffs)).sorted()
        self.maxChunkScores = max(1, maxChunkScores)
    }

    /// Evaluates users against targets.
    /// - Parameters:
    ///   - users: [U, d] user vectors, row-major.
    ///   - items: [V, d] item embeddings, row-major.
    ///   - dimension: d.
    ///   - itemBias: optional [V] added to every user's scores.
    ///   - excluded: U lists of items removed from the ranking (the histories).
    ///   - targets: U non-empty target lists (one item for SEQ; several for NEG).
    ///   - candidates: optional U candidate sets (nil entries: all items).
    /// - Returns: mean metrics and, per user, the metric values.
    /// - Throws: ``EvaluationError`` for inconsistent sizes, out-of-range ids, empty target
    ///   lists or non-finite inputs.
    /// - Complexity: O(U·V·d) for the scores plus O(U·V·log K) for the selection.
    public func evaluate<E: Collection, T: Collection>(
        users: [Float], items: [Float], dimension: Int, itemBias: [Float]? = nil,
        excluded: [E], targets: [T], candidates: [ItemBitset?]? = nil
    ) throws -> PerUserMetrics where E.Element == Int32, T.Element == Int32 {
        if let user = targets.firstIndex(where: \.isEmpty) { throw EvaluationError.noTargets(user: user) }
        let ranked = try rank(
            users: users, items: items, dimension: dimension, itemBias: itemBias,
            excluded: excluded, targets: targets, candidates: candidates)
        var result = PerUserMetrics(
            cutoffs: cutoffs, ndcg: cutoffs.map { _ in [] }, recall: cutoffs.map { _ in [] })
        for (list, target) in zip(ranked, targets) {
            let values = RankingMetrics.userMetrics(ranked: list, targets: target, cutoffs: cutoffs)
            for c in cutoffs.indices {
                result.ndcg[c].append(values.ndcg[c])
                result.recall[c].append(values.recall[c])
            }
        }
        return result
    }

    /// The top-K items per user, best first, K = the largest cutoff (see
    /// ``evaluate(users:items:dimension:itemBias:excluded:targets:candidates:)`` for the
    /// parameters; `targets` only protects targets from exclusion and may be empty lists).
    public func rank<E: Collection, T: Collection>(
        users: [Float], items: [Float], dimension d: Int, itemBias: [Float]? = nil,
        excluded: [E], targets: [T], candidates: [ItemBitset?]? = nil
    ) throws -> [[Int32]] where E.Element == Int32, T.Element == Int32 {
        guard d >= 1 else { throw EvaluationError.shapeMismatch("dimension must be ≥ 1, got \(d)") }
        guard users.count % d == 0, items.count % d == 0 else {
            throw EvaluationError.shapeMismatch("\(users.count) user and \(items.count) item floats are not multiples of d = \(d)")
        }
        let (userCount, itemCount) = (users.count / d, items.count / d)
        // Concrete arrays once: generic collections from another module are not specialized,
        // and the per-item loops below would pay for it a million times.
        let excluded = excluded.map { Array($0) }
        let targets = targets.map { Array($0) }
        try validate(userCount: userCount, itemCount: itemCount, itemBias: itemBias, excluded: excluded, targets: targets, candidates: candidates)
        guard users.allSatisfy(\.isFinite) else { throw EvaluationError.nonFinite("the user vectors") }
        guard items.allSatisfy(\.isFinite) else { throw EvaluationError.nonFinite("the item embeddings") }
        guard itemBias?.allSatisfy(\.isFinite) ?? true else { throw EvaluationError.nonFinite("the item bias") }

        let k = cutoffs.last!
        let chunk = max(1, min(userCount, maxChunkScores / max(1, itemCount)))
        var scores = [Float](repeating: 0, count: chunk * itemCount)
        var heap = TopKHeap(k: k)
        var ranked: [[Int32]] = []
        ranked.reserveCapacity(userCount)
        var first = 0
        while first < userCount {
            let rows = min(chunk, userCount - first)
            // scores[rows, V] = users[first..<first+rows, d] · items[V, d]ᵀ
            users.withUnsafeBufferPointer { u in
                items.withUnsafeBufferPointer { e in
                    scores.withUnsafeMutableBufferPointer { s in
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(itemCount), Int32(d),
                            1, u.baseAddress! + first * d, Int32(d), e.baseAddress!, Int32(d), 0, s.baseAddress!, Int32(itemCount))
                    }
                }
            }
            for row in 0..<rows {
                let user = first + row
                ranked.append(scores.withUnsafeMutableBufferPointer { s in
                    let line = UnsafeMutableBufferPointer(rebasing: s[(row * itemCount)..<((row + 1) * itemCount)])
                    return select(line, bias: itemBias, excluded: excluded[user],
                                  targets: targets[user], candidates: candidates?[user], heap: &heap)
                })
            }
            first += rows
        }
        return ranked
    }

    /// Masks one row's exclusions (sparing targets) and returns its top K, best first.
    private func select(
        _ row: UnsafeMutableBufferPointer<Float>, bias: [Float]?, excluded: [Int32], targets: [Int32],
        candidates: ItemBitset?, heap: inout TopKHeap
    ) -> [Int32] {
        if let bias { for item in row.indices { row[item] += bias[item] } }
        // NaN marks "not a candidate": no finite score is NaN, and NaN fails every comparison.
        for item in excluded where !targets.contains(item) { row[Int(item)] = .nan }
        heap.removeAll()
        // Below `threshold` nothing can enter the heap. Rows are scanned by ascending id, so a
        // score equal to the heap's worst never beats it either: a strict test suffices.
        var threshold = -Float.infinity
        for item in row.indices where row[item] > threshold {
            if let candidates, !candidates.contains(Int32(item)) { continue }
            heap.push(row[item], Int32(item))
            if heap.isFull { threshold = heap.worstScore }
        }
        return heap.sorted()
    }

    private func validate(
        userCount: Int, itemCount: Int, itemBias: [Float]?, excluded: [[Int32]], targets: [[Int32]], candidates: [ItemBitset?]?
    ) throws {
        guard itemCount >= 1 else { throw EvaluationError.shapeMismatch("there are no items") }
        guard excluded.count == userCount, targets.count == userCount else {
            throw EvaluationError.shapeMismatch(
                "\(userCount) users but \(excluded.count) exclusion lists and \(targets.count) target lists")
        }
        if let itemBias, itemBias.count != itemCount {
            throw EvaluationError.shapeMismatch("\(itemBias.count) item biases for \(itemCount) items")
        }
        if let candidates {
            guard candidates.count == userCount else {
                throw EvaluationError.shapeMismatch("\(candidates.count) candidate sets for \(userCount) users")
            }
            for case let set? in candidates where set.itemCount != itemCount {
                throw EvaluationError.shapeMismatch("a candidate set covers \(set.itemCount) items, not \(itemCount)")
            }
        }
        for (user, (skip, wanted)) in zip(excluded, targets).enumerated() {
            for item in skip where item < 0 || Int(item) >= itemCount {
                throw EvaluationError.unknownItem(item, user: user, what: "excluded", itemCount: itemCount)
            }
            for item in wanted where item < 0 || Int(item) >= itemCount {
                throw EvaluationError.unknownItem(item, user: user, what: "target", itemCount: itemCount)
            }
        }
    }
}
