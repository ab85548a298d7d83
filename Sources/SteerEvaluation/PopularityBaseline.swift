// The popularity baseline: every user gets the same ranking, items by train-part count.

public import SteerData

/// Scores each item by how often it occurs in the train parts: a model-free floor any
/// trained recommender must beat, and a check of the evaluation harness itself.
public enum PopularityBaseline {
    /// `counts[i]`: occurrences of item i in all users' train parts.
    public static func trainCounts(_ split: DatasetSplit) -> [Float] {
        var counts = [Float](repeating: 0, count: split.dataset.itemCount)
        for user in 0..<split.dataset.userCount { for item in split.train(user) { counts[Int(item)] += 1 } }
        return counts
    }

    /// SEQ metrics of the popularity ranking on `part`: history items excluded, target = the
    /// first held-out item, ties by item id ascending.
    /// - Throws: ``EvaluationError`` (cannot happen for a consistent split).
    public static func evaluateSEQ(
        _ split: DatasetSplit, part: EvaluationPart = .test, evaluator: FullRankingEvaluator
    ) throws -> RankingMetrics {
        let cases = split.cases(part)
        // d = 1: every user vector is 1 and every item "embedding" its count, so sgemm
        // yields the counts as scores.
        return try evaluator.evaluate(
            users: [Float](repeating: 1, count: cases.count), items: trainCounts(split), dimension: 1,
            excluded: cases.map(\.history), targets: cases.map { [$0.target] }
        ).mean
    }
}
