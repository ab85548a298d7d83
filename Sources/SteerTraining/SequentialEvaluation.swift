// The SEQ task: rank all items for each user's history, score the next item (the paper's protocol, §4.1; README "Training a backbone").
import SteerData
import SteerEvaluation
import SteerPlugins

public enum SequentialEvaluation {
    /// User vectors for the cases' histories, `cases.count × d`, encoded `batch` users at a time.
    public static func userVectors(_ backbone: Backbone, cases: [EvaluationCase], batch: Int = 512) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(cases.count * backbone.info.dim)
        var start = 0
        while start < cases.count {
            let chunk = cases[start..<min(cases.count, start + batch)]
            out += try backbone.encode(histories: chunk.map { $0.history.map { UInt32($0) } })
            start += batch
        }
        return out
    }

    /// Full-ranking NDCG and Recall at 10 and 20 of the next item, history items masked.
    /// - Throws: plugin or evaluation errors.
    public static func evaluate(_ backbone: Backbone, cases: [EvaluationCase], batch: Int = 512) throws -> RankingMetrics {
        let users = try userVectors(backbone, cases: cases, batch: batch)
        let evaluator = try FullRankingEvaluator(cutoffs: [10, 20])
        let perUser = try evaluator.evaluate(
            users: users, items: backbone.itemEmbeddings, dimension: backbone.info.dim,
            excluded: cases.map { $0.history }, targets: cases.map { [$0.target] })
        return perUser.mean
    }
}
