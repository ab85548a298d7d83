// The Table-1 report of a DPR model on the test part: the stage-1 baselines, the steered rows
// (polarity stated, routed, optionally soft-routed) and the fine-tuned backbone's baselines.
import Foundation
import SteerData
import SteerDPR
import SteerPlugins
import SteerPrompt
import SteerTasks

/// The Table-1 evaluation shared by `steer train-dpr` and `steer eval`.
public enum DPRReport {
    /// Rows: Base and Filter of the stage-1 backbone (with the POS references "Filter, all target
    /// genres" and "Filter, exact genre set"); DPR with each task's polarity stated (as a client
    /// may state it in Recommend); DPR with the router's polarity; Base+f and Filter+f (and its
    /// references) of the fine-tuned backbone; with `softRouting` (and a router), DPR with both
    /// towers mixed by the router's probability. POS prompts follow `positivePrompts`, which the
    /// report states.
    public static func measure(split: DatasetSplit, templates: PromptTemplates, name: String, dataset: String, stage1: Backbone?,
                               finetuned: Backbone, head: DPRHead, bank: PromptBank, router: PromptRouter?, windows: [Int],
                               tags: ItemTags? = nil, positivePrompts: PositivePromptProtocol,
                               softRouting: Bool = false, memory: PromptMemory? = nil,
                               part: EvaluationPart = .test) throws -> ControllableReport {
        let evaluation = try SteeringEvaluation(split: split, templates: templates, windows: windows, part: part,
                                                positivePrompts: positivePrompts)
        var report = ControllableReport(title: "\(name) on \(dataset), \(split.scheme) split, \(part.rawValue) (prompts from the evaluation templates)",
                                        positivePrompts: positivePrompts)
        report.notes.append("Filter, all target genres / Filter, exact genre set (POS only): the Base ranking restricted to the items "
            + "having every genre of the target / whose genre set is the target's exactly; references that know what a genre-set prompt "
            + "says (or more), beside the Filter that knows the single genre. They do not depend on the prompt protocol.")
        report.notes.append("DPR: polarity of each prompt stated (the task's); DPR routed: polarity from the router, one tower per prompt; "
            + "DPR read part by part: the prompt read as Recommend reads it (its parts, each with the router's polarity, the parts "
            + "below 0.75 confidence left out, the rest applied with the refusals on both sides of the requests); "
            + "DPR + Filter: DPR's steered ranking with the genre filter on top (a hybrid Recommend offers with its category filters, not a baseline).")
        if let stage1 { try evaluation.evaluate(backbone: stage1, queries: nil, name: name, baselines: true, into: &report) }
        try evaluation.evaluate(backbone: finetuned, queries: SteeringQueries(head: head, bank: bank, router: nil, memory: memory),
                                name: "\(name) DPR", baselines: false, filtered: true, into: &report)
        if let router {
            try evaluation.evaluate(backbone: finetuned, queries: SteeringQueries(head: head, bank: bank, router: router, memory: memory),
                                    name: "\(name) DPR routed", baselines: false, into: &report)
            try evaluation.evaluate(backbone: finetuned, queries: SteeringQueries(head: head, bank: bank, router: router, partByPart: true, memory: memory),
                                    name: "\(name) DPR read part by part", baselines: false, into: &report)
            if softRouting {
                try evaluation.evaluate(backbone: finetuned, queries: SteeringQueries(head: head, bank: bank, router: router, soft: true, memory: memory),
                                        name: "\(name) DPR soft-routed", baselines: false, into: &report)
            }
        }
        try evaluation.evaluate(backbone: finetuned, queries: nil, name: name, baselines: true, suffix: "+f", into: &report)
        if let memory { report.notes.append(memory.summary) }
        if let tags {
            // The evaluation paraphrases are for the test part only; on the validation part the
            // held-out extra wordings stand in for them, as in stage 3's epoch selection.
            let wording: TagWording = part == .test ? .evaluation : .selection
            let count = try evaluation.evaluateTagPrompts(backbone: finetuned, queries: SteeringQueries(head: head, bank: bank, router: nil, memory: memory),
                                                          tags: tags, wording: wording, name: "\(name) DPR, tag prompts", into: &report)
            report.notes.append("DPR, tag prompts: the same POS tasks prompted with the target's "
                + (part == .test ? "evaluation tag paraphrase (appendix B.3; " : "held-out extra tag wording (")
                + "\(count.tagged) of \(count.total) tasks, the rest keep their genre prompt); a Filter cannot read a tag, so the Filter rows are its baseline.")
        }
        return report
    }

    /// Writes `<prefix>.{json,csv,md,svg}`; with `show`, prints the table and the file names too.
    public static func write(_ report: ControllableReport, to prefix: String, print show: Bool) throws {
        if show { print(report.markdown()) }
        try report.json().write(to: URL(fileURLWithPath: prefix + ".json"))
        try report.csv().write(toFile: prefix + ".csv", atomically: true, encoding: .utf8)
        try report.markdown().write(toFile: prefix + ".md", atomically: true, encoding: .utf8)
        try ReportChart.svg(report).write(toFile: prefix + ".svg", atomically: true, encoding: .utf8)
        if show { print("wrote \(prefix).{md,json,csv,svg}") }
    }
}
