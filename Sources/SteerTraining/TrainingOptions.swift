// Stage-1 training settings, each with its default and why.

/// How stage 1 (next-item pre-training of a backbone) runs.
public struct TrainingOptions: Sendable, Codable, Equatable {
    /// Upper bound on epochs; early stopping usually ends sooner.
    public var epochs = 200
    /// Windows per batch.
    public var batchSize = 128
    /// AdamW learning rate (RecBole's default 0.001).
    public var learningRate: Float = 0.001
    /// Decoupled weight decay on weight matrices (RecBole's default 0).
    public var weightDecay: Float = 0
    /// Global gradient-norm clip; 0 (RecBole's default) disables it.
    public var maxGradNorm: Float = 0
    /// Seed of batch order (the model's own seed is in its config).
    public var seed: UInt64 = 2020
    /// Stop after this many evaluations without a better validation NDCG@10.
    public var patience = 10
    /// Evaluate on the validation cases every this many epochs.
    public var evaluateEvery = 1
    /// Logit rows per cross-entropy chunk (bounds the logits buffer to rows × items floats).
    public var crossEntropyChunkRows = 2048
    /// Users per encode call in evaluation.
    public var evaluationBatch = 512

    public init() {}
}

/// One epoch's figures, as written to the metrics log (JSON lines).
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var targets: Int
    public var seconds: Double
    public var targetsPerSecond: Double
    public var validNDCG10: Double?
    public var validRecall10: Double?
    public var best: Bool

    public init(epoch: Int, trainLoss: Double, targets: Int, seconds: Double, targetsPerSecond: Double,
                validNDCG10: Double? = nil, validRecall10: Double? = nil, best: Bool) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.targets = targets
        self.seconds = seconds
        self.targetsPerSecond = targetsPerSecond
        self.validNDCG10 = validNDCG10
        self.validRecall10 = validRecall10
        self.best = best
    }
}
