// Compound tasks ("g, but no h") measured: how the two parts of a prompt are best combined, and
// what today's one-polarity-per-prompt path does with them.
import Foundation
import SteerData
import SteerDPR
import SteerEvaluation
import SteerPlugins
import SteerPrompt
import SteerTasks
import SteerTraining

/// The compound-task table: per row and window, NDCG and Recall at 10 and 20 of the target and
/// the share of the ruled-out genre h in the top 10.
public struct CompoundReport: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var model: String
        /// The window N; nil for the average over the windows.
        public var window: Int?
        public var metrics: RankingMetrics
        /// Mean over tasks of the share of the top-10 items that have genre h.
        public var avoidedShare: Double
    }

    public var title: String
    public var notes: [String]
    public var rows: [Row]

    /// The table averaged over the windows (each window weighs the same), then one table per window.
    public func markdown() -> String {
        var out = "# \(title)\n\n"
        let models = rows.reduce(into: [String]()) { if !$0.contains($1.model) { $0.append($1.model) } }
        for window in [nil] + Set(rows.compactMap(\.window)).sorted().map(Optional.some) {
            out += window.map { "## N = \($0)\n\n" } ?? "## Averaged over N\n\n"
            out += "| model | NDCG@10 | NDCG@20 | Recall@10 | Recall@20 | h in top-10 | tasks |\n|---|---|---|---|---|---|---|\n"
            for model in models {
                guard let row = rows.first(where: { $0.model == model && $0.window == window }) else { continue }
                let m = row.metrics
                out += String(format: "| %@ | %.4f | %.4f | %.4f | %.4f | %.4f | %d |\n", model, m.ndcg[0], m.ndcg[1],
                              m.recall[0], m.recall[1], row.avoidedShare, m.users)
            }
            out += "\n"
        }
        return out + notes.map { "- \($0)\n" }.joined()
    }
}

/// Measures a DPR model on the compound tasks of the test part (or of the validation part, to
/// choose among the ways of combining parts without looking at test figures).
public enum CompoundEvaluation {
    /// Rows (all on the fine-tuned backbone the head was trained with):
    /// - `Base+f`: no prompt; `Filter+f (g kept, h removed)`: Base restricted to items with g and without h;
    /// - `DPR, request only`: the first part through the positive tower (what a one-part reading serves);
    /// - `DPR, parts in order`: the request, then the refusal through the negative tower, applied to
    ///   the request's output (polarities stated); `DPR, refusal first`: the other order;
    ///   `DPR, refusal on both sides`: the refusal, the request, then the refusal again;
    ///   `DPR, shifts added`: both towers on the user vector, their shifts summed;
    /// - `DPR, whole prompt routed`: today's one-part path (the router picks one tower for all of it);
    /// - `DPR, read part by part`: ``PromptRouter/read(_:encoder:cache:)`` finds the parts and their
    ///   polarities, applied in the steering order (the refusal on both sides), the unsure ones left out (what
    ///   Recommend does when the router decides);
    /// - `…, refused categories dropped`: the row before it with the items of every category its
    ///   applied refusal names (``CategoryMentions``) left out of the ranking, as Recommend does
    ///   with `drop_refused_categories`: the stated refusal for `refusal on both sides`, the
    ///   refusals read for `read part by part`.
    public static func measure(split: DatasetSplit, templates: PromptTemplates, name: String, dataset: String,
                               backbone: Backbone, head: DPRHead, bank: PromptBank, router: PromptRouter?,
                               windows: [Int], seed: UInt64 = TaskBuilder.defaultSeed,
                               part: EvaluationPart = .test, memory: PromptMemory? = nil) throws -> CompoundReport {
        let cases = split.cases(part)
        let users = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let caseRow = Dictionary(cases.enumerated().map { ($1.user, $0) }, uniquingKeysWith: { first, _ in first })
        let items = backbone.itemEmbeddings, d = backbone.info.dim
        let evaluator = try FullRankingEvaluator(cutoffs: [10, 20])
        let categories = split.dataset.itemCategories
        let queries = SteeringQueries(head: head, bank: bank, router: nil, memory: memory)
        let mentions = CategoryMentions(categoryNames: split.dataset.categoryNames, descriptions: true)
        var report = CompoundReport(
            title: "\(name) on \(dataset), compound tasks (\"g, but no h\"), \(part.rawValue) (prompts from the "
                + "\(TaskBuilder.pool(for: part) == .evaluation ? "evaluation" : "training") templates)",
            notes: [EvaluationReport.historyMaskedNote,
                    "Task: a target from the window with a genre g the first future item lacks and without a genre h the first item has; "
                    + "the prompt is an evaluation POS phrasing of g followed by an evaluation NEG phrasing of h.",
                    "h in top-10: the mean share of the ten items ranked first that have genre h."],
            rows: [])
        if part == .validation {
            report.notes.append("Validation tasks are phrased with the training templates, which the towers and the router were trained on: "
                                + "compare the rows with stated polarities; the routed rows here are optimistic.")
        }
        var perWindow: [String: [CompoundReport.Row]] = [:]
        for window in windows {
            let tasks = try TaskBuilder(split: split, seed: seed).compoundTasks(window: window, part: part)
            guard !tasks.isEmpty else { continue }
            let parts = tasks.map { templates.compoundParts(for: $0, in: split.dataset, seed: seed) }
            let wanted = parts.map(\.wanted), avoided = parts.map(\.avoided)
            let whole = zip(wanted, avoided).map { $0 + " " + $1 }
            try bank.add(wanted + avoided + whole)
            var rows = [Float]()
            for task in tasks { let r = caseRow[task.user]!; rows.append(contentsOf: users[(r * d)..<((r + 1) * d)]) }
            let positive = [PromptPolarity](repeating: .positive, count: tasks.count)
            let negative = [PromptPolarity](repeating: .negative, count: tasks.count)
            let requested = try queries.fuse(rows: rows, texts: wanted, polarities: positive)
            let refused = try queries.fuse(rows: rows, texts: avoided, polarities: negative)
            let refusedThenRequested = try queries.fuse(rows: refused, texts: wanted, polarities: positive)
            let bothSides = try queries.fuse(rows: refusedThenRequested, texts: avoided, polarities: negative)
            // Stated parts: the refusal is the part the task rendered as a refusal.
            let statedDrops = zip(wanted, avoided).map { mentions.refused(by: [($0, false), ($1, true)], text: \.0, isRefusal: \.1) }
            var variants: [(String, [Float], Restriction)] = [
                ("\(name) Base+f", rows, .none), ("\(name) Filter+f (g kept, h removed)", rows, .filter),
                ("\(name) DPR, request only", requested, .none),
                ("\(name) DPR, parts in order", try queries.fuse(rows: requested, texts: avoided, polarities: negative), .none),
                ("\(name) DPR, refusal first", refusedThenRequested, .none),
                ("\(name) DPR, refusal on both sides", bothSides, .none),
                ("\(name) DPR, refusal on both sides, refused categories dropped", bothSides, .drop(statedDrops)),
                ("\(name) DPR, shifts added", zip(zip(requested, refused), rows).map { $0.0 + $0.1 - $1 }, .none),
            ]
            if let router {
                let routed = try router.route(texts: whole, encoder: bank.encoder)
                variants.append(("\(name) DPR, whole prompt routed",
                                 try queries.fuse(rows: rows, texts: whole, polarities: routed.map(Self.tower)), .none))
                let readings = try queries.read(whole, router: router)
                let steered = try queries.steer(rows: rows, readings: whole.map { readings[$0]! })
                variants.append(("\(name) DPR, read part by part", steered, .none))
                variants.append(("\(name) DPR, read part by part, refused categories dropped", steered,
                                 .drop(whole.map { mentions.refused(by: readings[$0]!.steeredParts()) })))
            }
            for (model, vectors, restriction) in variants {
                let candidates: [ItemBitset?]?
                switch restriction {
                case .none:
                    candidates = nil
                case .filter:
                    candidates = tasks.map { task in
                        ItemBitset(itemCount: split.dataset.itemCount) {
                            categories[$0].contains(task.wanted.genre) && !categories[$0].contains(task.avoided)
                        }
                    }
                case .drop(let drops):
                    candidates = drops.map { drop in
                        drop.isEmpty ? nil : ItemBitset(itemCount: split.dataset.itemCount) { item in
                            !categories[item].contains { drop.contains(Int($0)) }
                        }
                    }
                }
                let ranked = try evaluator.rank(users: vectors, items: items, dimension: d, excluded: tasks.map(\.wanted.history),
                                                targets: tasks.map { [$0.target] }, candidates: candidates)
                let row = Self.row(model: model, window: window, ranked: ranked, tasks: tasks, categories: categories,
                                   cutoffs: evaluator.cutoffs)
                report.rows.append(row)
                perWindow[model, default: []].append(row)
            }
        }
        let models = report.rows.reduce(into: [String]()) { if !$0.contains($1.model) { $0.append($1.model) } }
        for model in models {
            let rows = perWindow[model]!
            let n = Double(rows.count)
            let mean = { (values: [[Double]]) in (0..<values[0].count).map { c in values.map { $0[c] }.reduce(0, +) / n } }
            report.rows.append(CompoundReport.Row(
                model: model, window: nil,
                metrics: RankingMetrics(cutoffs: rows[0].metrics.cutoffs, ndcg: mean(rows.map(\.metrics.ndcg)),
                                        recall: mean(rows.map(\.metrics.recall)), users: rows.map(\.metrics.users).reduce(0, +)),
                avoidedShare: rows.map(\.avoidedShare).reduce(0, +) / n))
        }
        return report
    }

    /// Which items a row ranks: all, the Filter's (g kept, h removed), or all but those having a
    /// category dropped for the task (per task, category ids; an empty list drops nothing).
    private enum Restriction {
        case none, filter
        case drop([[Int]])
    }

    private static func tower(_ decision: RouteDecision) -> PromptPolarity { decision.polarity == .positive ? .positive : .negative }

    private static func row(model: String, window: Int, ranked: [[Int32]], tasks: [CompoundTask], categories: [[Int32]],
                            cutoffs: [Int]) -> CompoundReport.Row {
        var ndcg = [Double](repeating: 0, count: cutoffs.count), recall = ndcg
        var share = 0.0
        for (list, task) in zip(ranked, tasks) {
            let values = RankingMetrics.userMetrics(ranked: list, targets: [task.target], cutoffs: cutoffs)
            for c in cutoffs.indices { ndcg[c] += values.ndcg[c]; recall[c] += values.recall[c] }
            let top = list.prefix(10)
            share += Double(top.filter { categories[Int($0)].contains(task.avoided) }.count) / Double(max(1, top.count))
        }
        let n = Double(tasks.count)
        return CompoundReport.Row(model: model, window: window,
                                  metrics: RankingMetrics(cutoffs: cutoffs, ndcg: ndcg.map { $0 / n }, recall: recall.map { $0 / n },
                                                          users: tasks.count),
                                  avoidedShare: share / n)
    }
}
