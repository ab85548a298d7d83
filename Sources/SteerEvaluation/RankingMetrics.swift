// NDCG@K and Recall@K of ranked lists against target sets, and their means over users.

import Foundation

/// Mean NDCG and Recall at each cutoff over a set of users.
///
/// Per user with target set T (duplicates ignored) and ranked list r (best first):
/// - Recall@K = |{targets in r[..<K]}| / |T|
/// - NDCG@K = DCG@K / IDCG@K with binary gains, DCG@K = Σ_{p<K, r[p]∈T} 1/log2(p+2) and
///   IDCG@K = Σ_{p<min(|T|,K)} 1/log2(p+2), so one target at rank 1 scores 1.
public struct RankingMetrics: Sendable, Equatable, Codable {
    /// The cutoffs K, ascending.
    public var cutoffs: [Int]
    /// Mean NDCG@K, one per cutoff.
    public var ndcg: [Double]
    /// Mean Recall@K, one per cutoff.
    public var recall: [Double]
    /// The number of users averaged over.
    public var users: Int

    /// Metrics at `cutoffs`, one NDCG and one Recall value per cutoff, over `users` users.
    public init(cutoffs: [Int], ndcg: [Double], recall: [Double], users: Int) {
        self.cutoffs = cutoffs
        self.ndcg = ndcg
        self.recall = recall
        self.users = users
    }

    /// Mean NDCG at cutoff `k`, if `k` is one of ``cutoffs``.
    public func ndcg(at k: Int) -> Double? { cutoffs.firstIndex(of: k).map { ndcg[$0] } }
    /// Mean Recall at cutoff `k`, if `k` is one of ``cutoffs``.
    public func recall(at k: Int) -> Double? { cutoffs.firstIndex(of: k).map { recall[$0] } }

    /// The per-user metrics of `ranked` (best first) against `targets`, one value per cutoff.
    public static func userMetrics<T: Collection>(
        ranked: [Int32], targets: T, cutoffs: [Int]
    ) -> (ndcg: [Double], recall: [Double]) where T.Element == Int32 {
        let targetSet = Set(targets)
        var ndcg: [Double] = []
        var recall: [Double] = []
        for k in cutoffs {
            var dcg = 0.0
            var hits = 0
            for (position, item) in ranked.prefix(k).enumerated() where targetSet.contains(item) {
                dcg += discount(position)
                hits += 1
            }
            var ideal = 0.0
            for position in 0..<min(targetSet.count, k) { ideal += discount(position) }
            ndcg.append(ideal > 0 ? dcg / ideal : 0)
            recall.append(targetSet.isEmpty ? 0 : Double(hits) / Double(targetSet.count))
        }
        return (ndcg, recall)
    }

    /// 1 / log2(position + 2): the gain of a hit at 0-based `position`.
    static func discount(_ position: Int) -> Double { 1 / log2(Double(position + 2)) }
}

/// Per-user metric values, cutoff-major: `ndcg[c][u]` is user u's NDCG at `cutoffs[c]`.
public struct PerUserMetrics: Sendable, Equatable, Codable {
    /// The cutoffs K, ascending.
    public var cutoffs: [Int]
    /// `ndcg[c][u]`: NDCG of user u at cutoff c.
    public var ndcg: [[Double]]
    /// `recall[c][u]`: Recall of user u at cutoff c.
    public var recall: [[Double]]

    /// Per-user values, cutoff-major.
    public init(cutoffs: [Int], ndcg: [[Double]], recall: [[Double]]) {
        self.cutoffs = cutoffs
        self.ndcg = ndcg
        self.recall = recall
    }

    /// The means over users.
    public var mean: RankingMetrics {
        let users = ndcg.first?.count ?? 0
        let average: ([Double]) -> Double = { users == 0 ? 0 : $0.reduce(0, +) / Double(users) }
        return RankingMetrics(cutoffs: cutoffs, ndcg: ndcg.map(average), recall: recall.map(average), users: users)
    }
}
