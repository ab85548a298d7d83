// Stages 2 and 3 of DPR (paper §3.3.3): the head and, at a lower rate, the backbone trained on
// prompted tasks from the training parts with L = w·L_seq + λ·L_prompt (eq. 10).
//
// One training row is a CUT of a user's train part: the backbone runs once over its history and
// serves both tasks of the cut (POS and NEG share the history). For each cut the next-item loss
// trains h_u on the first future item; for each task the head fuses h_u with the prompt and the
// prompt loss scores z against all items (POS: one target re-drawn each epoch from the
// compliance list; NEG: the whole compliance list). The head's gradient with respect to h_u joins
// the next-item gradient at the history's last position and flows back through the plugin.
import Foundation
import SteerData
import SteerDPR
import SteerNN
import SteerPlugins
import SteerTasks
import SteerTraining

public final class DPRTrainer {
    public let options: DPRTrainingOptions
    public let stage: TrainingStage
    private let model: TrainableBackbone
    private let head: DPRHead
    private let sampler: TrainingTaskSampler
    private let prompts: StagePrompts
    private let bank: PromptBank
    private let validation: SteeringEvaluation?
    private let queries: SteeringQueries
    private let workspace: CrossEntropyWorkspace
    private let headOptimizer: AdamW
    private let backboneOptimizer: AdamW?
    /// Called after every epoch.
    public var onEpoch: ((DPREpochRecord) -> Void)?
    /// Called with the backbone weights and head archive whenever validation improves.
    public var onImprovement: ((_ backbone: [UInt8], _ head: [UInt8], _ record: DPREpochRecord) throws -> Void)?
    public var showProgress = true
    /// Epoch numbers of this stage start after this (so stage 3's draws differ from stage 2's).
    public var epochOffset = 0
    /// Validation SEQ NDCG@10 of the backbone before this stage (nil without validation).
    public private(set) var startingSEQ: Double?
    /// The validation SEQ NDCG@10 the tolerance is measured from; nil = this stage's starting
    /// backbone. Stage 3 passes stage 1's, so the stages cannot drift down 1.5% each.
    public var sequenceReference: Double?

    /// - Parameters:
    ///   - model: the backbone (frozen when `options.backboneLearningRate` is 0 or the plugin cannot train).
    ///   - head: the DPR head to train.
    ///   - validation: tasks of the validation part with training templates; nil trains for all epochs.
    ///   - router: routes validation prompts; nil uses each task's own polarity.
    public init(model: TrainableBackbone, head: DPRHead, split: DatasetSplit, stage: TrainingStage, prompts: StagePrompts,
                bank: PromptBank, validation: SteeringEvaluation?, queries: SteeringQueries, options: DPRTrainingOptions) throws {
        guard head.config.dim == model.dim else {
            throw DPRError("the head works in d = \(head.config.dim) but the backbone's d is \(model.dim)")
        }
        guard head.config.encoderDim == bank.dimension else {
            throw DPRError("the head expects \(head.config.encoderDim)-wide prompts but the encoder gives \(bank.dimension)")
        }
        self.model = model
        self.head = head
        self.stage = stage
        self.prompts = prompts
        self.bank = bank
        self.validation = validation
        self.queries = queries
        self.options = options
        sampler = try TrainingTaskSampler(split: split, configuration: .init(
            tasksPerUser: options.tasksPerUser, windows: TaskBuilder.paperWindows, seed: options.seed))
        workspace = CrossEntropyWorkspace(items: model.nItems, channels: model.dim, chunkRows: options.crossEntropyChunkRows)
        let headParameters = head.parameters
        headOptimizer = AdamW(parameters: headParameters, learningRate: options.headLearningRate, weightDecay: options.headWeightDecay)
        if options.trainsBackbone {
            backboneOptimizer = AdamW(parameters: try model.optimizerParameters(), learningRate: options.backboneLearningRate, weightDecay: 0)
        } else {
            backboneOptimizer = nil
        }
    }

    public struct Result {
        public var bestBackbone: [UInt8]
        public var bestHead: [UInt8]
        public var best: DPREpochRecord?
        public var history: [DPREpochRecord]
    }

    /// Trains until `options.epochs` or until `options.patience` epochs pass without a better
    /// validation score.
    public func run() throws -> Result {
        var history: [DPREpochRecord] = []
        var best: (score: Double, backbone: [UInt8], head: [UInt8], record: DPREpochRecord?) = (-1, try model.save(), head.archived(), nil)
        var sinceBest = 0
        // Epochs whose validation SEQ falls more than `sequenceTolerance` below the starting
        // backbone's are never selected: steering must not cost next-item quality.
        var seqFloor = -Double.infinity
        if let reference = sequenceReference, validation != nil {
            startingSEQ = reference
            seqFloor = reference * (1 - options.sequenceTolerance)
        } else if let validation, options.sequenceTolerance < 1 {
            try model.setTraining(false)
            var report = ControllableReport(title: "validation")
            try validation.evaluate(backbone: model.backbone, queries: nil, name: "start", baselines: true, into: &report)
            let start = report.averaged(model: "start Base", task: .seq)?.ndcg[0] ?? 0
            seqFloor = start * (1 - options.sequenceTolerance)
            startingSEQ = start
        }
        // Stage 3 starts from stage 2's head: measured first, an epoch is kept only if it beats it.
        if stage == .tags, validation != nil {
            var start = DPREpochRecord(stage: stage.rawValue, epoch: 0, sequenceLoss: 0, promptLoss: 0, tasks: 0, seconds: 0, best: false)
            try validate(into: &start)
            if (start.validSEQ ?? 0) >= seqFloor, let score = start.validScore { best.score = score }
            onEpoch?(start)
        }
        for e in 1...max(1, options.epochs) {
            var record = try trainEpoch(e)
            if validation != nil { try validate(into: &record) }
            let score = record.validScore ?? Double(e)
            let eligible = (record.validSEQ ?? 0) >= seqFloor || validation == nil
            if eligible, score > best.score {
                record.best = true
                best = (score, try model.save(), head.archived(), record)
                try onImprovement?(best.backbone, best.head, record)
                sinceBest = 0
            } else {
                sinceBest += 1
            }
            history.append(record)
            onEpoch?(record)
            if sinceBest >= options.patience { break }
        }
        return Result(bestBackbone: best.backbone, bestHead: best.head, best: best.record, history: history)
    }

    /// Fills the validation figures of `record`: SEQ, POS and NEG NDCG@10 with the training
    /// phrasings, in stage 3 also POS prompted with the targets' training tags; the score is their mean.
    private func validate(into record: inout DPREpochRecord) throws {
        guard let validation else { return }
        try model.setTraining(false)
        head.isTraining = false
        var report = ControllableReport(title: "validation")
        try validation.evaluate(backbone: model.backbone, queries: queries, name: "DPR", baselines: false, into: &report)
        let seq = report.averaged(model: "DPR", task: .seq)?.ndcg[0] ?? 0
        let pos = report.averaged(model: "DPR", task: .pos)?.ndcg[0] ?? 0
        let neg = report.averaged(model: "DPR", task: .neg)?.ndcg[0] ?? 0
        record.validSEQ = seq
        record.validPOS = pos
        record.validNEG = neg
        var parts = [seq, pos, neg]
        if stage == .tags, let tags = prompts.tags {
            try validation.evaluateTagPrompts(backbone: model.backbone, queries: queries, tags: tags, wording: .training,
                                              name: "DPR tags", into: &report)
            let tagPOS = report.averaged(model: "DPR tags", task: .pos)?.ndcg[0] ?? 0
            record.validTagPOS = tagPOS
            parts.append(tagPOS)
        }
        record.validScore = parts.reduce(0, +) / Double(parts.count)
    }

    /// A cut: one backbone row and the tasks that share its history.
    struct Cut {
        var history: ArraySlice<Int32>
        var next: Int32
        var tasks: [Int]
    }

    /// One pass over this epoch's cuts.
    public func trainEpoch(_ localEpoch: Int) throws -> DPREpochRecord {
        let epoch = epochOffset + localEpoch
        let started = Date()
        let tasks = sampler.tasks(epoch: epoch)
        var cuts: [Cut] = []
        for (i, task) in tasks.enumerated() {
            if let last = cuts.last, let j = last.tasks.first, tasks[j].user == task.user, tasks[j].history.count == task.history.count {
                cuts[cuts.count - 1].tasks.append(i)
            } else {
                cuts.append(Cut(history: task.history.suffix(model.maxLen), next: task.windowItems[0], tasks: [i]))
            }
        }
        let targets = tasks.map { $0.trainingTargets(epoch: epoch, seed: options.seed) }
        let texts = tasks.indices.map { prompts.text(for: tasks[$0], targets: targets[$0], stage: stage, epoch: epoch, seed: options.seed) }
        try bank.add(texts)
        let promptIDs = texts.map(bank.id)

        try model.setTraining(options.trainsBackbone)
        head.isTraining = true
        let batches = Self.batches(cuts.count, lengths: cuts.map(\.history.count), size: options.batchSize,
                                   seed: options.seed &+ UInt64(epoch) &* 0x2545_F491_4F6C_DD1D)
        let progress = showProgress ? ProgressBar(total: batches.count, label: "\(stage.rawValue) epoch \(localEpoch)") : nil
        let (table, tableGrad) = try model.itemTable()
        let d = model.dim, v = model.nItems
        var seqSum = 0.0, seqRows = 0, promptSum = 0.0, promptRows = 0
        for (n, batch) in batches.enumerated() {
            let rows = batch.count
            let time = max(1, batch.map { cuts[$0].history.count }.max() ?? 1)
            var ids = [UInt32](repeating: 0, count: rows * time), lengths = [UInt32](repeating: 0, count: rows)
            for (r, c) in batch.enumerated() {
                for (j, item) in cuts[c].history.enumerated() { ids[r * time + j] = UInt32(item) }
                lengths[r] = UInt32(cuts[c].history.count)
            }
            var hidden = [Float](repeating: 0, count: rows * time * d)
            try model.forward(itemIDs: ids, lengths: lengths, batch: rows, time: time, into: &hidden)
            var h = [Float](repeating: 0, count: rows * d), dh = [Float](repeating: 0, count: rows * d)
            for r in 0..<rows {
                let last = (r * time + Int(lengths[r]) - 1) * d
                h.replaceSubrange((r * d)..<((r + 1) * d), with: hidden[last..<(last + d)])
            }
            let dItems: UnsafeMutablePointer<Float>? = options.trainsBackbone ? tableGrad : nil
            if options.sequenceWeight > 0, options.trainsBackbone {
                let next = batch.map { cuts[$0].next }
                let result = softmaxCrossEntropy(hidden: h, dHidden: &dh, table: table, dTable: dItems, bias: nil, dBias: nil,
                                                 targets: next, rows: rows, items: v, channels: d,
                                                 gradScale: options.sequenceWeight, workspace: workspace)
                seqSum += Double(result.loss) * Double(result.rows)
                seqRows += result.rows
            }
            // The batch's tasks, each pointing at its cut's row.
            var taskRows: [(task: Int, row: Int)] = []
            for (r, c) in batch.enumerated() { for t in cuts[c].tasks { taskRows.append((t, r)) } }
            let count = taskRows.count
            var users = [Float](repeating: 0, count: count * d)
            for (i, tr) in taskRows.enumerated() {
                users.replaceSubrange((i * d)..<((i + 1) * d), with: h[(tr.row * d)..<((tr.row + 1) * d)])
            }
            let prompt = bank.gather(taskRows.map { promptIDs[$0.task] }, mode: head.config.keyValue)
            let polarities = taskRows.map { tasks[$0.task].polarity == .positive ? PromptPolarity.positive : .negative }
            var z = [Float](repeating: 0, count: count * d), dz = [Float](repeating: 0, count: count * d)
            head.forward(out: &z, user: users, prompt: prompt.values, promptLength: prompt.keys, lengths: prompt.lengths,
                         polarities: polarities, batch: count)
            let loss = promptLoss(z: z, dZ: &dz, items: table, dItems: dItems, targets: TargetSets(taskRows.map { targets[$0.task] }),
                                  itemCount: v, dim: d, temperature: options.temperature, gradScale: options.promptWeight,
                                  workspace: workspace)
            promptSum += Double(loss.loss) * Double(loss.rows)
            promptRows += loss.rows
            if options.trainsBackbone {
                var dUsers = [Float](repeating: 0, count: count * d)
                head.backward(dZ: dz, dUser: &dUsers)
                for (i, tr) in taskRows.enumerated() {
                    for c in 0..<d { dh[tr.row * d + c] += dUsers[i * d + c] }
                }
                var dHidden = [Float](repeating: 0, count: rows * time * d)
                for r in 0..<rows {
                    let last = (r * time + Int(lengths[r]) - 1) * d
                    dHidden.replaceSubrange(last..<(last + d), with: dh[(r * d)..<((r + 1) * d)])
                }
                try model.backward(dHidden: dHidden)
                backboneOptimizer?.update()
                try model.zeroGrad()
            } else {
                head.backward(dZ: dz, dUser: nil)
            }
            headOptimizer.update()
            head.zeroGrad()
            progress?.update(n + 1, status: String(format: "seq %.3f  prompt %.3f", seqSum / Double(max(1, seqRows)),
                                                   promptSum / Double(max(1, promptRows))))
        }
        progress?.finish()
        return DPREpochRecord(stage: stage.rawValue, epoch: localEpoch, sequenceLoss: seqSum / Double(max(1, seqRows)),
                              promptLoss: promptSum / Double(max(1, promptRows)), tasks: tasks.count,
                              seconds: Date().timeIntervalSince(started), best: false)
    }

    /// Batches of row indices of about equal length: shuffle, sort chunks of 32 batches by
    /// length (little padding), then shuffle the batch order.
    static func batches(_ count: Int, lengths: [Int], size: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededRandom(seed: seed)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var batches: [[Int]] = []
        let chunk = size * 32
        var start = 0
        while start < order.count {
            let sorted = order[start..<min(order.count, start + chunk)].sorted { lengths[$0] < lengths[$1] }
            var s = 0
            while s < sorted.count {
                batches.append(Array(sorted[s..<min(sorted.count, s + size)]))
                s += size
            }
            start += chunk
        }
        batches.shuffle(using: &generator)
        return batches
    }
}
