// `steer train`: stage-1 training of a backbone plugin on a dataset, then its test metrics.
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerData
import SteerEvaluation
import SteerBLAS
import SteerIndex
import SteerPlugins
import SteerTraining

/// Backbone names on the command line and the plugins that implement them.
enum BackboneChoice: String, ExpressibleByArgument, CaseIterable {
    case sasrec, gru4rec
    var plugin: String { self == .sasrec ? "SASRec" : "GRU4Rec" }
}

enum SplitChoice: String, ExpressibleByArgument, CaseIterable {
    case paper, loo
    var scheme: SplitScheme { self == .paper ? .paper : .leaveOneOut }
}

/// Model and data options shared by train and bench train.
struct ModelOptions: ParsableArguments {
    @Option(help: "Dataset: ml-1m, ml-100k (from `make setup`) or a folder of RecBole atomic or MovieLens .dat files.")
    var dataset = "ml-1m"
    @Option(help: "Backbone: \(BackboneChoice.allCases.map(\.rawValue).joined(separator: ", ")).") var backbone: BackboneChoice = .sasrec
    @Option(help: "Split: paper (chronological 8:1:1 per user) or loo (leave-one-out, as RecBole).") var split: SplitChoice = .paper
    @Option(help: "Longest history (positions).") var maxLen = 200
    @Option(help: "SASRec hidden size / GRU4Rec embedding size (= d).") var hidden = 64
    @Option(help: "SASRec blocks / GRU4Rec layers (default 2 for SASRec, 1 for GRU4Rec).") var layers: Int?
    @Option(help: "SASRec attention heads.") var heads = 2
    @Option(help: "SASRec feed-forward size.") var inner = 256
    @Option(help: "GRU4Rec GRU hidden size.") var gruHidden = 128
    @Option(help: "Dropout (default 0.2 for SASRec, 0.3 for GRU4Rec).") var dropout: Double?
    @Option(help: "SASRec attention dropout (default: --dropout).") var attentionDropout: Double?
    @Option(help: "Model seed (initialisation, dropout).") var modelSeed = 42
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?

    func configJSON(nItems: Int) -> String {
        switch backbone {
        case .sasrec:
            let p = dropout ?? 0.2
            return #"{"n_items": \#(nItems), "max_len": \#(maxLen), "hidden": \#(hidden), "layers": \#(layers ?? 2), "heads": \#(heads), "inner": \#(inner), "dropout": \#(p), "attention_dropout": \#(attentionDropout ?? p), "seed": \#(modelSeed)}"#
        case .gru4rec:
            return #"{"n_items": \#(nItems), "max_len": \#(maxLen), "embedding": \#(hidden), "hidden": \#(gruHidden), "layers": \#(layers ?? 1), "dropout": \#(dropout ?? 0.3), "seed": \#(modelSeed)}"#
        }
    }

    var pluginDirectory: String { pluginDir ?? ServeCommand.executableDirectory() }

    func loadSplit() throws -> DatasetSplit {
        let dataset = try DatasetLocator.load(self.dataset)
        return try DatasetSplit(dataset, scheme: split.scheme)
    }
}

/// Training options as flags.
struct TrainingFlags: ParsableArguments {
    @Option(help: "Maximum epochs.") var epochs = 200
    @Option(help: "Windows per batch.") var batchSize = 128
    @Option(help: "AdamW learning rate.") var lr: Float = 0.001
    @Option(help: "AdamW weight decay (weight matrices only).") var weightDecay: Float = 0
    @Option(help: "Gradient-norm clip (0: off).") var clip: Float = 0
    @Option(help: "Stop after this many evaluations without a better validation NDCG@10.") var patience = 10
    @Option(help: "Evaluate every this many epochs.") var evalEvery = 1
    @Option(help: "Seed of the batch order.") var seed: UInt64 = 2020
    @Option(help: "OpenBLAS threads.") var threads = 2
    @Option(help: "Rows of logits per cross-entropy chunk (memory and cache use).") var ceChunkRows = 2048

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = batchSize; o.learningRate = lr; o.weightDecay = weightDecay
        o.maxGradNorm = clip; o.patience = patience; o.evaluateEvery = evalEvery; o.seed = seed
        o.crossEntropyChunkRows = ceChunkRows
        return o
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Stage 1: train a backbone on next-item prediction (full softmax), then report its test metrics.")
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingFlags
    @Option(help: "Checkpoint to write (default: <dataset>-<backbone>.snap in the current folder).") var out: String?
    @Option(help: "Metrics log, one JSON object per epoch (default: <out>.metrics.jsonl).") var log: String?
    @Option(help: "Learning-curve chart (SVG; default: <out>.curves.svg).") var plot: String?

    func run() throws {
        BLASThreads.set(training.threads)
        let split = try model.loadSplit()
        let data = split.dataset
        let sizes = split.sizes
        print("\(model.dataset): \(data.userCount) users, \(data.itemCount) items, \(data.interactionCount) interactions; split \(split.scheme): train \(sizes.train), validation \(sizes.validation), test \(sizes.test)\(split.droppedItems > 0 ? "; \(split.droppedItems) items only in validation/test dropped" : "")")
        let config = model.configJSON(nItems: data.itemCount)
        let host = PluginHost(directory: model.pluginDirectory)
        let backbone = try host.load(name: model.backbone.plugin, config: config, weights: [])
        let trainable = try TrainableBackbone(backbone)
        let trainer = try StageOneTrainer(model: trainable, split: split, options: training.options)
        let outPath = out ?? "\(URL(fileURLWithPath: model.dataset).lastPathComponent)-\(model.backbone.rawValue).snap"
        let logPath = log ?? outPath + ".metrics.jsonl"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw ValidationError("cannot create the metrics log \(logPath)")
        }
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print("\(model.backbone.plugin) \(config); \(trainer.targetsPerEpoch) training targets per epoch")
        trainer.onEpoch = { r in
            if let line = try? encoder.encode(r) { logHandle.write(line + Data("\n".utf8)) }
            let valid = r.validNDCG10.map { String(format: "valid NDCG@10 %.4f Recall@10 %.4f", $0, r.validRecall10 ?? 0) } ?? ""
            // Unbuffered: long runs are often redirected to a file; show each epoch as it ends.
            FileHandle.standardOutput.write(Data((String(format: "epoch %3d  loss %.4f  %.1f s  %.0f targets/s  ", r.epoch, r.trainLoss, r.seconds, r.targetsPerSecond) + valid + (r.best ? "  *" : "") + "\n").utf8))
        }
        let split_ = split
        func checkpoint(_ weights: [UInt8], summary: TrainingSummary) throws {
            let trainingJSON = String(decoding: try encoder.encode(summary), as: UTF8.self)
            try BackboneCheckpoint(plugin: model.backbone.plugin, weights: weights, itemTokens: split_.dataset.itemTokens,
                                   itemTitles: split_.dataset.itemTitles, categoryNames: split_.dataset.categoryNames,
                                   itemCategories: split_.dataset.itemCategories, trainingJSON: trainingJSON).write(to: outPath)
        }
        let started = Date()
        // Every improvement is written at once (atomically): an interrupted run keeps its best model.
        trainer.onImprovement = { weights, epoch, validation in
            try checkpoint(weights, summary: TrainingSummary(
                dataset: model.dataset, split: "\(split_.scheme)", config: config, options: training.options, bestEpoch: epoch,
                wallSeconds: Date().timeIntervalSince(started), validation: validation, test: nil))
        }
        let result = try trainer.run()
        try logHandle.close()
        let wall = Date().timeIntervalSince(started)
        print(String(format: "trained in %.1f min; best epoch %d", wall / 60, result.bestEpoch))

        // The best weights, reloaded, on the test cases.
        let best = try host.load(name: model.backbone.plugin, weights: result.bestWeights)
        let test = try SequentialEvaluation.evaluate(best, cases: split.cases(.test))
        var report = EvaluationReport(title: "\(model.backbone.plugin) on \(model.dataset), \(split.scheme) split, SEQ (test)")
        report.append(model: model.backbone.plugin, task: "SEQ", metrics: test)
        print(report.markdown())
        try report.json().write(to: URL(fileURLWithPath: outPath + ".test.json"))
        try CurveChart.svg(history: result.history, title: "\(model.backbone.plugin) on \(model.dataset)")
            .write(toFile: plot ?? outPath + ".curves.svg", atomically: true, encoding: .utf8)
        try checkpoint(result.bestWeights, summary: TrainingSummary(
            dataset: model.dataset, split: "\(split.scheme)", config: config, options: training.options,
            bestEpoch: result.bestEpoch, wallSeconds: wall, validation: result.bestValidation, test: test))
        print("wrote \(outPath), \(logPath), \(plot ?? outPath + ".curves.svg"), \(outPath).test.json")
    }
}

struct TrainingSummary: Codable {
    var dataset: String
    var split: String
    var config: String
    var options: TrainingOptions
    var bestEpoch: Int
    var wallSeconds: Double
    var validation: RankingMetrics?
    var test: RankingMetrics?
}
