// `steer bench train`: seconds per epoch and training targets per second of stage 1.
import ArgumentParser
import Foundation
import SteerData
import SteerBLAS
import SteerIndex
import SteerPlugins
import SteerTraining

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Time stage-1 epochs (an epoch covers every training target once, as in RecBole).")
    @OptionGroup var model: ModelOptions
    @Option(help: "Epochs to time (after one warm-up batch).") var epochs = 2
    @Option(help: "Windows per batch.") var batchSize = 128
    @Option(help: "Rows of logits per cross-entropy chunk.") var ceChunkRows = 2048
    @Option(help: "OpenBLAS threads.") var threads = 2
    @Flag(help: "Also time RecBole 1.2.1 (PyTorch) with the same settings on ML-100k (Scripts/peers-setup installs it).")
    var peer = false
    @Flag(help: "Print JSON.") var json = false

    struct Figures: Codable {
        var dataset: String, backbone: String, split: String, config: String
        var targetsPerEpoch: Int
        var secondsPerEpoch: [Double]
        var medianSecondsPerEpoch: Double
        var targetsPerSecond: Double
        var peerMedianSecondsPerEpoch: Double?
        var peerSecondsPerEpoch: [Double]?
    }

    func run() throws {
        LoadAverage.report("before")
        defer { LoadAverage.report("after") }
        BLASThreads.set(threads)
        let split = try model.loadSplit()
        let config = model.configJSON(nItems: split.dataset.itemCount)
        let backbone = try PluginHost(directory: model.pluginDirectory).load(name: model.backbone.plugin, config: config, weights: [])
        var options = TrainingOptions()
        options.batchSize = batchSize
        options.crossEntropyChunkRows = ceChunkRows
        let trainer = try StageOneTrainer(model: try TrainableBackbone(backbone), split: split, options: options)
        trainer.showProgress = false
        var seconds: [Double] = []
        for epoch in 1...max(1, epochs) {
            let started = Date()
            _ = try trainer.trainEpoch(epoch)
            seconds.append(Date().timeIntervalSince(started))
        }
        let median = seconds.sorted()[seconds.count / 2]
        var figures = Figures(dataset: model.dataset, backbone: model.backbone.plugin, split: "\(split.scheme)", config: config,
                              targetsPerEpoch: trainer.targetsPerEpoch, secondsPerEpoch: seconds, medianSecondsPerEpoch: median,
                              targetsPerSecond: Double(trainer.targetsPerEpoch) / median)
        if peer {
            guard model.dataset == "ml-100k", model.split == .loo else {
                throw ValidationError("the RecBole peer runs ML-100k with leave-one-out: use --dataset ml-100k --split loo")
            }
            let output = try PeerScript.run("recbole_train_peer.py", ["--model", model.backbone.plugin, "--epochs", "\(epochs)",
                                                                     "--threads", "\(threads)", "--max-len", "\(model.maxLen)"])
            figures.peerMedianSecondsPerEpoch = output["median_seconds_per_epoch"] as? Double
            figures.peerSecondsPerEpoch = output["seconds_per_epoch"] as? [Double]
        }
        if json {
            try printJSON(figures)
        } else {
            print("stage-1 training, \(figures.backbone) on \(figures.dataset) (\(figures.split)), batch \(batchSize), \(threads) BLAS threads")
            print("| targets/epoch | s/epoch (median of \(seconds.count)) | targets/s |")
            print("|---|---|---|")
            print("| \(figures.targetsPerEpoch) | \(String(format: "%.2f", median)) | \(String(format: "%.0f", figures.targetsPerSecond)) |")
            if let peer = figures.peerMedianSecondsPerEpoch {
                print(String(format: "\nRecBole 1.2.1 (PyTorch CPU), same settings, same run: %.2f s/epoch (median of %d); Steer takes %.3f of RecBole's time",
                             peer, figures.peerSecondsPerEpoch?.count ?? 0, median / peer))
            }
            let total = trainer.phaseSeconds.values.reduce(0, +)
            print("\nwhere the time goes: " + trainer.phaseSeconds.sorted { $0.value > $1.value }
                .map { "\($0.key) \(String(format: "%.0f%%", 100 * $0.value / max(total, 1e-9)))" }.joined(separator: ", "))
        }
    }
}
