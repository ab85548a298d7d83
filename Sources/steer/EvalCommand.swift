// `steer eval`: full-ranking test metrics of a trained backbone checkpoint (SEQ task).
import ArgumentParser
import Foundation
import SteerData
import SteerEvaluation
import SteerPlugins
import SteerTasks
import SteerTraining

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval",
        abstract: "Evaluate a backbone checkpoint: NDCG and Recall at 10 and 20 over all items (history masked).")
    @Option(help: "Checkpoint written by `steer train`.") var checkpoint: String
    @Option(help: "Dataset it was trained on.") var dataset = "ml-1m"
    @Option(help: "Split: paper or loo.") var split: SplitChoice = .paper
    @Option(help: "Tasks, comma-separated: seq, pos, neg (pos and neg: Base and Filter rows; DPR rows need the DPR head).")
    var tasks = "seq"
    @Option(help: "Windows N of the pos/neg tasks, comma-separated.") var windows = "3,5,10"
    @Option(help: "Write the pos/neg table as CSV here.") var csv: String?
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?
    @Option(help: "Write the report as JSON here.") var json: String?

    func run() throws {
        let wanted = Set(tasks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard !wanted.isEmpty, wanted.isSubset(of: ["seq", "pos", "neg"]) else { throw ValidationError("--tasks takes seq, pos and neg") }
        let windowList: [Int] = try parseList(windows, what: "--windows")
        guard !windowList.isEmpty, windowList.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--windows must list positive numbers") }
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let data = try DatasetLocator.load(dataset)
        let parts = try DatasetSplit(data, scheme: split.scheme)
        guard parts.dataset.itemTokens == saved.itemTokens else {
            throw ValidationError("the checkpoint's item vocabulary (\(saved.itemTokens.count) items) does not match \(dataset) with the \(split.rawValue) split (\(parts.dataset.itemCount) items)")
        }
        let backbone = try PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory()).load(name: saved.plugin, weights: saved.weights)
        let cases = parts.cases(.test)
        let vectors = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let items = backbone.itemEmbeddings, d = backbone.info.dim
        let evaluator = try FullRankingEvaluator(cutoffs: [10, 20])
        var report = ControllableReport(title: "\(saved.plugin) on \(dataset), \(parts.scheme) split, test")
        if wanted.contains("seq") {
            let seq = try evaluator.evaluate(users: vectors, items: items, dimension: d, excluded: cases.map(\.history),
                                             targets: cases.map { [$0.target] }).mean
            report.append(model: "\(saved.plugin) Base", task: .seq, window: nil, metrics: seq)
        }
        if wanted.contains("pos") || wanted.contains("neg") {
            var sets = try TaskBuilder(split: parts).taskSets(windows: windowList, part: .test)
            for i in sets.indices {
                if !wanted.contains("pos") { sets[i].positive = [] }
                if !wanted.contains("neg") { sets[i].negative = [] }
            }
            let ranking = TaskRanking(dataset: parts.dataset, evaluator: evaluator)
            for method in RankingMethod.allCases {
                try ranking.evaluate(model: "\(saved.plugin) \(method == .base ? "Base" : "Filter")", method: method, taskSets: sets,
                                     queries: .perCase(vectors, users: cases.map(\.user)), items: items, dimension: d, into: &report)
            }
        }
        print(report.markdown())
        if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
        if let csv { try report.csv().write(toFile: csv, atomically: true, encoding: .utf8) }
    }
}
