// Stages 2 (genre prompts) and 3 (semantic tags) of DPR, one after the other, from a stage-1
// checkpoint: each stage trains from the previous one's best backbone and head, every validation
// improvement is written to the output checkpoint at once (a stopped run keeps its best model),
// and every epoch goes to `<out>.metrics.jsonl`; at the end, the learning curves as SVG.
import Foundation
import SteerCheckpoint
import SteerData
import SteerDPR
import SteerPlugins
import SteerTasks
import SteerTraining

public struct DPRStageRun {
    /// The stage-1 checkpoint (its plugin, item vocabulary and weights) and its path, for the summary.
    public var stage1: BackboneCheckpoint
    public var stage1Path: String
    /// The checkpoint to write: stage 1's file with the fine-tuned weights and the head.
    public var out: String
    public var stages: [TrainingStage]
    /// Epochs at most per stage.
    public var epochs: [TrainingStage: Int]
    /// Every other training setting, the same for both stages.
    public var options: DPRTrainingOptions
    public var encoderName: String
    public var positivePrompts: PositivePromptProtocol

    public init(stage1: BackboneCheckpoint, stage1Path: String, out: String, stages: [TrainingStage], epochs: [TrainingStage: Int],
                options: DPRTrainingOptions, encoderName: String, positivePrompts: PositivePromptProtocol) {
        self.stage1 = stage1
        self.stage1Path = stage1Path
        self.out = out
        self.stages = stages
        self.epochs = epochs
        self.options = options
        self.encoderName = encoderName
        self.positivePrompts = positivePrompts
    }

    /// Where the epochs are logged, one JSON object per line.
    public var metricsPath: String { out + ".metrics.jsonl" }

    /// Trains `head` and a fine-tuned copy of the backbone through the stages and returns the
    /// final backbone (loaded from `host` with the best weights) and head. `weights` are the
    /// backbone's starting weights (stage 1's, or those of a resumed DPR checkpoint, in which case
    /// `sequenceReference` is stage 1's validation SEQ NDCG@10, the SEQ tolerance's reference).
    /// `report` receives one line per epoch and one per finished stage.
    public func run(host: PluginHost, split: DatasetSplit, prompts: StagePrompts, bank: PromptBank, validation: SteeringEvaluation,
                    head: DPRHead, weights: [UInt8], sequenceReference: Double? = nil, started: Date = Date(),
                    report: @escaping (String) -> Void) throws -> (backbone: Backbone, head: DPRHead, summary: DPRSummary) {
        guard FileManager.default.createFile(atPath: metricsPath, contents: nil) else {
            throw DPRError("cannot create the metrics log \(metricsPath)")
        }
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: metricsPath))
        defer { try? logHandle.close() }
        let json = JSONEncoder()
        json.outputFormatting = .sortedKeys
        var summary = DPRSummary(stage1: stage1Path, encoder: encoderName, stages: stages.map(\.rawValue), head: head.config,
                                 options: [:], records: [], wallSeconds: 0, positivePrompts: positivePrompts)
        summary.compoundShare = prompts.compoundShare > 0 ? prompts.compoundShare : nil
        func write(backbone weights: [UInt8], head archive: [UInt8]) throws {
            var file = stage1
            file.weights = weights
            file.dprHead = archive
            file.dprTrainingJSON = String(decoding: try json.encode(summary), as: UTF8.self)
            try file.write(to: out)
        }
        // Validation states each task's polarity (the router is evaluated separately, at the end).
        let queries = SteeringQueries(head: head, bank: bank, router: nil)
        var currentWeights = weights
        var backbone = try host.load(name: stage1.plugin, weights: currentWeights)
        var reference = sequenceReference
        var allRecords: [DPREpochRecord] = []
        for (index, stage) in stages.enumerated() {
            var options = self.options
            options.epochs = epochs[stage] ?? options.epochs
            summary.options[stage.rawValue] = options
            let trainer = try DPRTrainer(model: try TrainableBackbone(backbone), head: head, split: split, stage: stage, prompts: prompts,
                                         bank: bank, validation: validation, queries: queries, options: options)
            trainer.epochOffset = 1000 * index
            trainer.sequenceReference = reference
            trainer.onEpoch = { r in
                if let line = try? json.encode(r) { logHandle.write(line + Data("\n".utf8)) }
                report(String(format: "%@ epoch %2d  seq %.4f  prompt %.4f  %d tasks  %.1f s  valid N@10 SEQ %.4f POS %.4f NEG %.4f%@%@%@",
                              r.stage, r.epoch, r.sequenceLoss, r.promptLoss, r.tasks, r.seconds, r.validSEQ ?? 0, r.validPOS ?? 0,
                              r.validNEG ?? 0, r.validTagPOS.map { String(format: " tag-POS %.4f", $0) } ?? "",
                              r.validTagHeldOutPOS.map { String(format: " held-out-tag-POS %.4f", $0) } ?? "", r.best ? "  *" : ""))
            }
            trainer.onImprovement = { weights, archive, record in
                summary.records.append(record)
                summary.wallSeconds = Date().timeIntervalSince(started)
                try write(backbone: weights, head: archive)
            }
            let result = try trainer.run()
            allRecords += result.history
            reference = reference ?? trainer.startingSEQ
            if let start = trainer.startingSEQ {
                report(String(format: "%@ stage: validation SEQ NDCG@10 of stage 1 %.4f; selected epoch %@", stage.rawValue, start,
                              result.best.map { "\($0.epoch)" }
                                  ?? "none (no epoch beat the stage's input, or kept validation SEQ within the tolerance; the input is kept)"))
            }
            summary.records = summary.records.filter { $0.best }
            currentWeights = result.bestBackbone
            try head.load(archive: result.bestHead)
            // The next stage starts from this stage's best backbone (a fresh instance: the plugin's
            // weights are read at create time).
            backbone = try host.load(name: stage1.plugin, weights: currentWeights)
        }
        // Learning curves across the stages: prompt loss and validation POS NDCG@10 per epoch.
        let curve = allRecords.enumerated().map { i, r in
            EpochRecord(epoch: i + 1, trainLoss: r.promptLoss, targets: r.tasks, seconds: r.seconds,
                        targetsPerSecond: Double(r.tasks) / max(r.seconds, 1e-9), validNDCG10: r.validPOS, validRecall10: nil, best: r.best)
        }
        let label = stages.map(\.rawValue).joined(separator: ",")
        try CurveChart.svg(history: curve, title: "DPR \(label) on \(stage1.plugin): prompt loss, validation POS NDCG@10")
            .write(toFile: out + ".curves.svg", atomically: true, encoding: .utf8)
        summary.wallSeconds = Date().timeIntervalSince(started)
        try write(backbone: currentWeights, head: head.archived())
        return (backbone, head, summary)
    }
}
