// Stage 1: next-item pre-training of a backbone plugin with full-softmax cross-entropy.
//
// The plugin computes hidden states; the host owns the loss, the item softmax and the
// optimizer (the host owns loss and optimizer; the plugin its parameters): logits = hidden · Eᵀ over ALL items, chunked so that at most
// `crossEntropyChunkRows × V` logits exist at once; the item-side gradient goes into the
// plugin's item-table gradient, the hidden-side gradient back through the plugin.
import Foundation
import SteerData
import SteerEvaluation
import SteerNN
import SteerPlugins

public final class StageOneTrainer {
    public let options: TrainingOptions
    private let model: TrainableBackbone
    private let windows: NextItemWindows
    private let validation: [EvaluationCase]
    private let workspace: CrossEntropyWorkspace
    private let optimizer: AdamW
    private let parameters: [Parameter]
    /// Called after every epoch (for the metrics log).
    public var onEpoch: ((EpochRecord) -> Void)?
    /// Called with the weights whenever validation improves, so a checkpoint can be written
    /// at once: an interrupted run keeps its best model.
    public var onImprovement: ((_ weights: [UInt8], _ epoch: Int, _ validation: RankingMetrics) throws -> Void)?
    /// Whether to draw a progress bar on standard error.
    public var showProgress = true
    /// Seconds spent per phase since creation (for `steer bench train`).
    public private(set) var phaseSeconds: [String: Double] = [:]

    /// - Parameters:
    ///   - model: a backbone whose plugin has training entry points.
    ///   - split: training sequences come from its train parts; validation cases from its
    ///     validation parts (history = train part, target = first validation item).
    public init(model: TrainableBackbone, split: DatasetSplit, options: TrainingOptions) throws {
        self.model = model
        self.options = options
        windows = try NextItemWindows(sequences: split.trainSequences, maxLength: model.maxLen)
        validation = split.cases(.validation)
        workspace = CrossEntropyWorkspace(items: model.nItems, channels: model.dim, chunkRows: options.crossEntropyChunkRows)
        parameters = try model.optimizerParameters()
        optimizer = AdamW(parameters: parameters, learningRate: options.learningRate, weightDecay: options.weightDecay)
    }

    /// Targets per epoch (one per position of every window: every training target once).
    public var targetsPerEpoch: Int { windows.targetCount }

    public struct Result {
        /// The plugin's saved weights at the best validation NDCG@10.
        public var bestWeights: [UInt8]
        public var bestEpoch: Int
        public var bestValidation: RankingMetrics?
        public var history: [EpochRecord]
    }

    /// Trains until `epochs` or until `patience` evaluations pass without improvement.
    public func run() throws -> Result {
        var history: [EpochRecord] = []
        var best: (epoch: Int, weights: [UInt8], metrics: RankingMetrics?) = (0, try model.save(), nil)
        var stopping = EarlyStopping(patience: options.patience)
        for epoch in 1...max(1, options.epochs) {
            let started = Date()
            let loss = try trainEpoch(epoch)
            let seconds = Date().timeIntervalSince(started)
            var record = EpochRecord(epoch: epoch, trainLoss: loss, targets: windows.targetCount, seconds: seconds,
                                     targetsPerSecond: Double(windows.targetCount) / seconds, best: false)
            if epoch % options.evaluateEvery == 0 || epoch == options.epochs {
                try model.setTraining(false)
                let metrics = try SequentialEvaluation.evaluate(model.backbone, cases: validation, batch: options.evaluationBatch)
                record.validNDCG10 = metrics.ndcg[0]
                record.validRecall10 = metrics.recall[0]
                if stopping.improves(metrics.ndcg[0]) {
                    best = (epoch, try model.save(), metrics)
                    try onImprovement?(best.weights, epoch, metrics)
                    record.best = true
                }
            }
            history.append(record)
            onEpoch?(record)
            if stopping.shouldStop { break }
        }
        return Result(bestWeights: best.weights, bestEpoch: best.epoch, bestValidation: best.metrics, history: history)
    }

    /// One pass over every training target; returns the mean loss per target.
    public func trainEpoch(_ epoch: Int) throws -> Double {
        try model.setTraining(true)
        var batches = try windows.batches(size: options.batchSize, seed: options.seed, epoch: epoch, similarLengths: true)
        let progress = showProgress ? ProgressBar(total: batches.count, label: "epoch \(epoch)") : nil
        let (table, tableGrad) = try model.itemTable()
        let d = model.dim
        var hidden = [Float](), dHidden = [Float]()
        var lossSum = 0.0, targetSum = 0, done = 0
        let started = Date()
        while let batch = batches.next() {
            let count = batch.batchSize * batch.time * d
            if hidden.count != count {
                hidden = [Float](repeating: 0, count: count)
                dHidden = [Float](repeating: 0, count: count)
            }
            var clock = Date()
            func lap(_ phase: String) {
                let now = Date()
                phaseSeconds[phase, default: 0] += now.timeIntervalSince(clock)
                clock = now
            }
            try batch.inputs.withUnsafeBufferPointer { ids in
                try batch.lengths.withUnsafeBufferPointer { lengths in
                    try model.forward(itemIDs: ids.baseAddress!, lengths: lengths.baseAddress!, batch: batch.batchSize,
                                      time: batch.time, into: &hidden)
                }
            }
            lap("backbone forward")
            for i in dHidden.indices { dHidden[i] = 0 }
            let result = batch.targets.withUnsafeBufferPointer { targets in
                softmaxCrossEntropy(hidden: hidden, dHidden: &dHidden, table: table, dTable: tableGrad, bias: nil, dBias: nil,
                                    targets: targets.baseAddress!, rows: batch.batchSize * batch.time, items: model.nItems,
                                    channels: d, workspace: workspace)
            }
            lap("softmax cross-entropy")
            try model.backward(dHidden: dHidden)
            lap("backbone backward")
            if options.maxGradNorm > 0 { _ = clipGradNorm(parameters, maxNorm: options.maxGradNorm) }
            optimizer.update()
            try model.zeroGrad()
            lap("optimizer")
            lossSum += Double(result.loss) * Double(result.rows)
            targetSum += result.rows
            done += 1
            let rate = Double(targetSum) / max(1e-9, Date().timeIntervalSince(started))
            progress?.update(done, status: String(format: "loss %.4f  %.0fk targets/s", lossSum / Double(max(1, targetSum)), rate / 1000))
        }
        progress?.finish()
        return lossSum / Double(max(1, targetSum))
    }
}

extension TrainableBackbone {
    /// The plugin's tensors for the host's AdamW, weight decay on weight matrices only: biases,
    /// norms and embeddings keep their scale (common practice). Shared by every stage.
    public func optimizerParameters() throws -> [Parameter] {
        try parameters().map { p in
            Parameter(value: p.value, grad: p.grad, count: p.count,
                      decay: p.name.hasSuffix(".weight") && !p.name.contains("ln") && !p.name.contains("norm"))
        }
    }
}
