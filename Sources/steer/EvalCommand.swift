// `steer eval`: full-ranking test metrics of a trained backbone checkpoint (SEQ task).
import ArgumentParser
import Foundation
import SteerData
import SteerEvaluation
import SteerPlugins
import SteerTraining

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval",
        abstract: "Evaluate a backbone checkpoint: NDCG and Recall at 10 and 20 over all items (history masked).")
    @Option(help: "Checkpoint written by `steer train`.") var checkpoint: String
    @Option(help: "Dataset it was trained on.") var dataset = "ml-1m"
    @Option(help: "Split: paper or loo.") var split: SplitChoice = .paper
    @Option(help: "Tasks; this version evaluates seq.") var tasks = "seq"
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?
    @Option(help: "Write the report as JSON here.") var json: String?

    func run() throws {
        guard tasks == "seq" else { throw ValidationError("only --tasks seq is available in this version (pos and neg need the DPR head)") }
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let data = try DatasetLocator.load(dataset)
        let parts = try DatasetSplit(data, scheme: split.scheme)
        guard parts.dataset.itemTokens == saved.itemTokens else {
            throw ValidationError("the checkpoint's item vocabulary (\(saved.itemTokens.count) items) does not match \(dataset) with the \(split.rawValue) split (\(parts.dataset.itemCount) items)")
        }
        let backbone = try PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory()).load(name: saved.plugin, weights: saved.weights)
        let metrics = try SequentialEvaluation.evaluate(backbone, cases: parts.cases(.test))
        var report = EvaluationReport(title: "\(saved.plugin) on \(dataset), \(parts.scheme) split, SEQ (test)")
        report.append(model: saved.plugin, task: "SEQ", metrics: metrics)
        print(report.markdown())
        if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
    }
}
