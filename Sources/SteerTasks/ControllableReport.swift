// Table-1-style results: model variants × SEQ/POS/NEG metrics, per window N and averaged over N.

public import Foundation
public import SteerEvaluation

/// The results of the controllable tasks, as in the paper's Table 1: rows are model variants
/// (`GRU4Rec Base`, `GRU4Rec Filter`, `GRU4Rec Base+f`, …), columns per task the NDCG and
/// Recall at each cutoff; a table averaged over the windows and one table per window.
///
/// **Averages.** The average over N is the plain mean of the per-window means (each window
/// weighs the same, as the paper averages its N = 3, 5, 10 columns); its `users` is the total
/// number of tasks over the windows. SEQ has no window: it is reported as is.
public struct ControllableReport: Sendable, Equatable, JSONReport {
    /// A column group of the table.
    public enum Task: String, Sendable, Codable, CaseIterable {
        /// Next-item prediction, no prompt.
        case seq = "SEQ"
        /// Positive genre prompts.
        case pos = "POS"
        /// Negative genre prompts.
        case neg = "NEG"

        /// The task of prompts of `polarity`.
        public init(_ polarity: TaskPolarity) { self = polarity == .positive ? .pos : .neg }
    }

    /// One measured cell group: a model on a task at a window.
    public struct Entry: Sendable, Equatable, Codable {
        /// The model variant (the row).
        public var model: String
        /// SEQ, POS or NEG.
        public var task: Task
        /// The window N (nil for SEQ).
        public var window: Int?
        /// The mean metrics over the tasks.
        public var metrics: RankingMetrics
    }

    /// A title such as `ML-1M, chronological 8:1:1, test`.
    public var title: String
    /// Protocol statements printed under the tables.
    public var notes: [String]
    /// The measurements, in insertion order.
    public var entries: [Entry]
    /// The POS prompt protocol of the steered rows, stated under the title; nil for a report
    /// without prompts (and in reports written before the option existed, which were single-genre).
    public var positivePrompts: PositivePromptProtocol?

    /// A report titled `title`; the notes default to the history-masking statement.
    public init(title: String, notes: [String] = [EvaluationReport.historyMaskedNote], entries: [Entry] = [],
                positivePrompts: PositivePromptProtocol? = nil) {
        self.title = title
        self.notes = notes
        self.entries = entries
        self.positivePrompts = positivePrompts
    }

    /// Records `metrics` of `model` on `task` at `window` (nil for SEQ), replacing an earlier
    /// entry for the same cell.
    public mutating func append(model: String, task: Task, window: Int?, metrics: RankingMetrics) {
        entries.removeAll { $0.model == model && $0.task == task && $0.window == window }
        entries.append(Entry(model: model, task: task, window: window, metrics: metrics))
    }

    /// Model names in order of first appearance.
    public var models: [String] {
        var seen = Set<String>()
        return entries.map(\.model).filter { seen.insert($0).inserted }
    }

    /// The windows present, ascending.
    public var windows: [Int] { Set(entries.compactMap(\.window)).sorted() }

    /// The metrics of `model` on `task` at `window`, if measured.
    public func metrics(model: String, task: Task, window: Int?) -> RankingMetrics? {
        entries.last { $0.model == model && $0.task == task && $0.window == window }?.metrics
    }

    /// `model` on `task` averaged over its windows (SEQ: its window-less entry), if any.
    public func averaged(model: String, task: Task) -> RankingMetrics? {
        let cells = entries.filter { $0.model == model && $0.task == task }
        if task == .seq { return cells.last { $0.window == nil }?.metrics }
        let windowed = cells.filter { $0.window != nil }.map(\.metrics)
        guard let first = windowed.first, windowed.allSatisfy({ $0.cutoffs == first.cutoffs }) else { return nil }
        let count = Double(windowed.count)
        return RankingMetrics(
            cutoffs: first.cutoffs,
            ndcg: first.cutoffs.indices.map { c in windowed.reduce(0) { $0 + $1.ndcg[c] } / count },
            recall: first.cutoffs.indices.map { c in windowed.reduce(0) { $0 + $1.recall[c] } / count },
            users: windowed.reduce(0) { $0 + $1.users })
    }

    /// The tables in markdown: first averaged over N, then one per window; four decimals, `–`
    /// for an unmeasured cell.
    public func markdown() -> String {
        let cutoffs = Set(entries.flatMap(\.metrics.cutoffs)).sorted()
        var lines = ["### \(title)", ""]
        if let positivePrompts {
            lines += ["POS prompt protocol: `\(positivePrompts.rawValue)`, \(positivePrompts.summary); every table below uses it.", ""]
        }
        let windowList = windows.map(String.init).joined(separator: ", ")
        lines.append(windows.isEmpty ? "#### Results" : "#### Averaged over N ∈ {\(windowList)}")
        lines += table(tasks: Task.allCases.filter { t in entries.contains { $0.task == t } }, cutoffs: cutoffs) {
            averaged(model: $0, task: $1)
        }
        let gains = relativeGains()
        if !gains.isEmpty { lines += [""] + gains.map { "- " + $0 } }
        for window in windows {
            lines += ["", "#### N = \(window)"]
            lines += table(tasks: [.pos, .neg].filter { t in entries.contains { $0.task == t && $0.window == window } },
                           cutoffs: cutoffs) { metrics(model: $0, task: $1, window: window) }
        }
        if !notes.isEmpty { lines.append("") }
        lines += notes.map { "- \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For each steered model (a name containing `DPR`) and POS/NEG, its NDCG@10 averaged over
    /// N relative to the best Filter row (any name containing `Filter`, fine-tuned or not, but not
    /// `DPR`: a DPR ranking with the genre filter on top is a steered model, not a baseline).
    /// "Best Filter" means the genre filters, which know what a single-genre prompt says; the
    /// genre-set references (``RankingMethod/filterAllTargetGenres``,
    /// ``RankingMethod/filterExactGenreSet``) get a POS line each of their own, so a genre-set
    /// prompt is also judged against the filter that knows what it says.
    public func relativeGains(cutoff: Int = 10) -> [String] {
        let qualifiers = [RankingMethod.allTargetGenresQualifier, RankingMethod.exactGenreSetQualifier]
        let baselines = models.filter { $0.contains("Filter") && !$0.contains("DPR") }
        let genreFilters = baselines.filter { name in !qualifiers.contains { name.hasSuffix($0) } }
        // (label in the line, rows compared, tasks): the genre filters, then each reference kind.
        let groups: [(String, [String], [Task])] = [("best Filter", genreFilters, [.pos, .neg])]
            + qualifiers.map { q in ("best Filter" + q, baselines.filter { $0.hasSuffix(q) }, [.pos]) }
        var lines: [String] = []
        for model in models where model.contains("DPR") {
            for (label, rows, tasks) in groups {
                for task in tasks {
                    guard let mine = averaged(model: model, task: task)?.ndcg(at: cutoff) else { continue }
                    let filters = rows.compactMap { f in averaged(model: f, task: task)?.ndcg(at: cutoff).map { (f, $0) } }
                    guard let best = filters.max(by: { $0.1 < $1.1 }), best.1 > 0 else { continue }
                    lines.append(String(format: "%@ %@ NDCG@%d %.4f vs %@ (%@) %.4f: %+.1f%%", model, task.rawValue, cutoff,
                                        mine, label, best.0, best.1, (mine - best.1) / best.1 * 100))
                }
            }
        }
        return lines
    }

    private func table(tasks: [Task], cutoffs: [Int], cell: (String, Task) -> RankingMetrics?) -> [String] {
        var header = ["Model"]
        for task in tasks {
            header += cutoffs.map { "\(task.rawValue) N@\($0)" } + cutoffs.map { "\(task.rawValue) R@\($0)" }
        }
        var lines = ["", "| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for model in models {
            var cells = [model]
            for task in tasks {
                let metrics = cell(model, task)
                cells += cutoffs.map { Self.format(metrics?.ndcg(at: $0)) } + cutoffs.map { Self.format(metrics?.recall(at: $0)) }
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// The entries as CSV, one line per (model, task, window) plus `avg` lines for POS and NEG:
    /// `model,task,window,tasks,ndcg@K…,recall@K…` (model names quoted when needed).
    public func csv() -> String {
        let cutoffs = Set(entries.flatMap(\.metrics.cutoffs)).sorted()
        var lines = [(["model", "task", "window", "tasks"] + cutoffs.map { "ndcg@\($0)" } + cutoffs.map { "recall@\($0)" })
            .joined(separator: ",")]
        func line(_ model: String, _ task: Task, _ window: String, _ metrics: RankingMetrics) {
            let values = cutoffs.map { Self.number(metrics.ndcg(at: $0)) } + cutoffs.map { Self.number(metrics.recall(at: $0)) }
            lines.append(([Self.quoted(model), task.rawValue, window, String(metrics.users)] + values).joined(separator: ","))
        }
        for entry in entries { line(entry.model, entry.task, entry.window.map(String.init) ?? "", entry.metrics) }
        for model in models {
            for task in [Task.pos, .neg] where entries.contains(where: { $0.model == model && $0.task == task }) {
                if let average = averaged(model: model, task: task) { line(model, task, "avg", average) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "–" }
    private static func number(_ value: Double?) -> String { value.map { String(format: "%.6f", $0) } ?? "" }
    private static func quoted(_ text: String) -> String {
        guard text.contains(where: { ",\"\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
