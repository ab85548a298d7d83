// Evaluation results as a markdown table and as JSON.

import Foundation

/// A table of results: one row per model and task, NDCG and Recall at each cutoff.
///
/// Rendered as markdown (``markdown()``) for notes and READMEs, and Codable for machine use
/// (``json()``). ``notes`` carry the protocol choices every report must state (the split, the
/// exclusion of history items).
public struct EvaluationReport: Sendable, Equatable, JSONReport {
    /// One line of the table.
    public struct Row: Sendable, Equatable, Codable {
        /// The model or baseline (`GRU4Rec Base`, `Popularity`).
        public var model: String
        /// The task (`SEQ`, `POS N=3`, `NEG N=5`).
        public var task: String
        /// The mean metrics.
        public var metrics: RankingMetrics

        /// A row for `model` on `task`.
        public init(model: String, task: String, metrics: RankingMetrics) {
            self.model = model
            self.task = task
            self.metrics = metrics
        }
    }

    /// A title, such as `ML-1M, chronological 8:1:1, test`.
    public var title: String
    /// Protocol statements printed under the table.
    public var notes: [String]
    /// The rows, in display order.
    public var rows: [Row]

    /// The statement about exclusions that every report should carry.
    public static let historyMaskedNote =
        "History items are excluded from the ranking (MovieLens has no repeated interactions); targets are never excluded."

    /// A report titled `title`.
    public init(title: String, notes: [String] = [historyMaskedNote], rows: [Row] = []) {
        self.title = title
        self.notes = notes
        self.rows = rows
    }

    /// Adds a row.
    public mutating func append(model: String, task: String, metrics: RankingMetrics) {
        rows.append(Row(model: model, task: task, metrics: metrics))
    }

    /// The table in markdown: columns Model, Task, Users, then NDCG@K and Recall@K for every
    /// cutoff in any row, ascending (a row lacking a cutoff shows `–`); four decimals.
    public func markdown() -> String {
        let cutoffs = Set(rows.flatMap(\.metrics.cutoffs)).sorted()
        var header = ["Model", "Task", "Users"]
        for k in cutoffs { header += ["NDCG@\(k)", "Recall@\(k)"] }
        var lines = ["### \(title)", "", "| " + header.joined(separator: " | ") + " |",
                     "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for row in rows {
            var cells = [row.model, row.task, String(row.metrics.users)]
            for k in cutoffs { cells += [Self.format(row.metrics.ndcg(at: k)), Self.format(row.metrics.recall(at: k))] }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if !notes.isEmpty { lines.append("") }
        lines += notes.map { "- \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.4f", value)
    }
}
