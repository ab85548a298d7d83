// Stage-2/3 training settings, each with its default and why.

/// How one DPR fine-tuning stage runs (paper §3.3, eq. 10: `L = w·L_seq + λ·L_prompt`).
public struct DPRTrainingOptions: Sendable, Codable, Equatable {
    /// Upper bound on epochs of the stage; early stopping usually ends sooner.
    public var epochs = 8
    /// Training cut points per batch (each carries up to one POS and one NEG task).
    public var batchSize = 128
    /// AdamW learning rate of the head (projector and towers): the head starts near identity
    /// and must move far, so it trains at the usual transformer rate.
    public var headLearningRate: Float = 1e-3
    /// AdamW learning rate of the backbone, 0 to keep it frozen. A tenth of stage 1's, so the
    /// backbone adapts to the prompt loss without forgetting next-item prediction.
    public var backboneLearningRate: Float = 1e-4
    /// Decoupled weight decay of the head's matrices.
    public var headWeightDecay: Float = 0.01
    /// λ, the weight of the prompt loss.
    public var promptWeight: Float = 1
    /// Weight of the next-item loss at each cut (0 drops it; then the backbone drifts freely).
    public var sequenceWeight: Float = 1
    /// τ of the prompt softmax `z·e_i/τ`.
    public var temperature: Float = 1
    /// Cut points drawn per user and epoch (see `TrainingTaskSampler`).
    public var tasksPerUser = 4
    /// Stop after this many epochs without a better validation score.
    public var patience = 2
    /// Seed of cuts, targets, prompts and batch order.
    public var seed: UInt64 = 2020
    /// Stage 3: share of POS tasks (with a tagged target) prompted with a tag.
    public var tagShare = 0.5
    /// An epoch is selectable only if its validation SEQ NDCG@10 is at most this fraction below
    /// the stage's starting backbone (1 disables the check). A little inside the 2% the paper's
    /// comparison allows, since validation and test differ.
    public var sequenceTolerance = 0.015
    /// Windows of the validation tasks (validation part, training templates).
    public var validationWindows = [3, 5, 10]
    /// DIAGNOSTIC ONLY: cuts drawn from the whole sequences, held-out parts included (see
    /// `TrainingTaskSampler.Configuration.leaksHeldOutParts`). A model trained so is not a result.
    public var leaksHeldOutParts = false
    /// Logit rows per cross-entropy chunk.
    public var crossEntropyChunkRows = 2048

    public init() {}

    /// Whether the backbone is fine-tuned.
    public var trainsBackbone: Bool { backboneLearningRate > 0 }
}

/// One epoch of a DPR stage, as written to the metrics log (JSON lines).
public struct DPREpochRecord: Sendable, Codable, Equatable {
    public var stage: String
    public var epoch: Int
    /// Mean next-item loss per cut.
    public var sequenceLoss: Double
    /// Mean prompt loss per task.
    public var promptLoss: Double
    public var tasks: Int
    public var seconds: Double
    /// Validation NDCG@10: SEQ, POS and NEG averaged over the windows.
    public var validSEQ: Double?
    public var validPOS: Double?
    public var validNEG: Double?
    /// Stage 3: validation POS NDCG@10 with each tagged target's training tag as the prompt
    /// (the evaluation paraphrases never reach model selection).
    public var validTagPOS: Double?
    /// Stage 3 with ``TagPhrasings``: validation POS NDCG@10 prompted with the held-out
    /// (`select`) wordings, never trained on; then the stage's selection score.
    public var validTagHeldOutPOS: Double?
    /// The selection score: mean of SEQ, POS and NEG; in stage 3 with held-out tag wordings, the
    /// held-out tag POS (genre POS and NEG must then hold within ``DPRTrainer/genreTolerance``).
    public var validScore: Double?
    public var best: Bool
}
