// Stages 2 and 3 of DPR (paper §3.3.3): the head and, at a lower rate, the backbone trained on
// prompted tasks from the training parts with L = w·L_seq + λ·L_prompt (eq. 10).
//
// A CUT splits a user's train part into a history and a future; its POS and NEG tasks share the
// history. One backbone pass over a ROW (a stretch of the train part) gives the causal state h_u
// of every cut whose history ends inside it. For each cut the next-item loss trains h_u on the
// first future item; for each task the head fuses h_u with the prompt and the prompt loss scores
// z against all items (POS: one target re-drawn each epoch from the compliance list; NEG: the
// whole compliance list). The head's gradient with respect to h_u joins the next-item gradient at
// the cut's position and flows back through the plugin.
//
// A task drawn as part of a compound prompt (StagePrompts.compoundLead) is trained twice: as
// itself, and from the vector that the steps serving applies before it give (their towers'
// output, computed without gradient), so each tower learns to steer the vectors it is given.
import Foundation
import SteerData
import SteerDPR
import SteerNN
import SteerPlugins
import SteerRandom
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
    /// The head's activations of the lead steps of compound prompts, apart from the main
    /// forward's (nothing is run backward on them).
    private let leadWorkspace: DPRWorkspace
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
        var sampling = TrainingTaskSampler.Configuration(tasksPerUser: options.tasksPerUser, windows: TaskBuilder.paperWindows, seed: options.seed)
        sampling.leaksHeldOutParts = options.leaksHeldOutParts
        sampler = try TrainingTaskSampler(split: split, configuration: sampling)
        workspace = CrossEntropyWorkspace(items: model.nItems, channels: model.dim, chunkRows: options.crossEntropyChunkRows)
        leadWorkspace = DPRWorkspace(config: head.config)
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
        var best: (backbone: [UInt8], head: [UInt8], record: DPREpochRecord?) = (try model.save(), head.archived(), nil)
        var stopping = EarlyStopping(patience: options.patience)
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
        var genreFloor: (pos: Double, neg: Double) = (-.infinity, -.infinity)
        if stage == .tags, validation != nil {
            var start = DPREpochRecord(stage: stage.rawValue, epoch: 0, sequenceLoss: 0, promptLoss: 0, tasks: 0, seconds: 0, best: false)
            try validate(into: &start)
            if (start.validSEQ ?? 0) >= seqFloor, let score = start.validScore { stopping.require(atLeast: score) }
            if start.validTagHeldOutPOS != nil {
                genreFloor = ((start.validPOS ?? 0) * (1 - Self.genreTolerance), (start.validNEG ?? 0) * (1 - Self.genreTolerance))
            }
            onEpoch?(start)
        }
        for e in 1...max(1, options.epochs) {
            var record = try trainEpoch(e)
            if validation != nil { try validate(into: &record) }
            let score = record.validScore ?? Double(e)
            let eligible = ((record.validSEQ ?? 0) >= seqFloor && (record.validPOS ?? 0) >= genreFloor.pos
                            && (record.validNEG ?? 0) >= genreFloor.neg) || validation == nil
            if stopping.improves(score, eligible: eligible) {
                record.best = true
                best = (try model.save(), head.archived(), record)
                try onImprovement?(best.backbone, best.head, record)
            }
            history.append(record)
            onEpoch?(record)
            if stopping.shouldStop { break }
        }
        return Result(bestBackbone: best.backbone, bestHead: best.head, best: best.record, history: history)
    }

    /// How far below stage 3's start validation genre POS and NEG may fall in an epoch that
    /// stage 3 selects on held-out tag wordings.
    public static let genreTolerance = 0.02

    /// Fills the validation figures of `record`: SEQ, POS and NEG NDCG@10 with the training
    /// phrasings, in stage 3 also POS prompted with the targets' training tags. The score is the
    /// mean of SEQ, POS and NEG in both stages. Tag POS is logged but not scored: a tag names one
    /// film, and with the training tags on validation it measures memorisation (it rose from 0.23
    /// to 0.76 in one epoch of every-cut training while genre POS fell from 0.395 to 0.375).
    /// Stage 3 starts from stage 2's score, so it is kept only where it does not cost genre steering.
    ///
    /// With held-out tag wordings (``TagPhrasings``), stage 3 is scored by POS prompted with them
    /// instead: they were never trained on, so a gain there is the tag's meaning carried to other
    /// words, not memorisation; genre POS and NEG must stay within ``genreTolerance`` of the start.
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
        if stage == .tags, let tags = prompts.tags {
            try validation.evaluateTagPrompts(backbone: model.backbone, queries: queries, tags: tags, wording: .training,
                                              name: "DPR tags", into: &report)
            let tagPOS = report.averaged(model: "DPR tags", task: .pos)?.ndcg[0] ?? 0
            record.validTagPOS = tagPOS
        }
        record.validScore = (seq + pos + neg) / 3
        if stage == .tags, let tags = prompts.tags, tags.phrasings != nil {
            try validation.evaluateTagPrompts(backbone: model.backbone, queries: queries, tags: tags, wording: .selection,
                                              name: "DPR held-out tag wordings", into: &report)
            let heldOut = report.averaged(model: "DPR held-out tag wordings", task: .pos)?.ndcg[0] ?? 0
            record.validTagHeldOutPOS = heldOut
            record.validScore = heldOut
        }
    }

    /// A cut: the tasks that share one history, and that history's next item.
    struct Cut {
        /// The history's last position in its row.
        var position: Int
        var next: Int32
        var tasks: [Int]
    }

    /// One backbone pass: a stretch of a user's train part whose causal states serve every cut
    /// whose history ends inside it. A history longer than the backbone's window is cut to its
    /// last `maxLen` items at evaluation; here a cut may also lose items at the row's start, but
    /// never more than leaves it `maxLen / 2` items (otherwise it gets a row of its own).
    struct Row {
        var items: ArraySlice<Int32>
        var cuts: [Cut]
    }

    /// The rows serving `tasks` (in sampler order: user by user, cuts ascending, POS before NEG).
    static func rows(_ tasks: [SteeringTask], maxLen: Int) -> [Row] {
        // Group a user's tasks by cut (equal history = same cut).
        var groups: [(user: Int, history: ArraySlice<Int32>, next: Int32, tasks: [Int])] = []
        for (i, task) in tasks.enumerated() {
            if let last = groups.last, last.user == task.user, last.history.endIndex == task.history.endIndex {
                groups[groups.count - 1].tasks.append(i)
            } else {
                groups.append((task.user, task.history, task.windowItems[0], [i]))
            }
        }
        var rows: [Row] = []
        var g = groups.count - 1
        while g >= 0 {
            // The row ends at the user's latest pending cut and reaches back maxLen items.
            let user = groups[g].user, history = groups[g].history
            let items = history.suffix(maxLen)
            var cuts: [Cut] = []
            while g >= 0, groups[g].user == user {
                let end = groups[g].history.endIndex
                let inRow = end - items.startIndex, whole = groups[g].history.count
                guard inRow >= 1, inRow >= min(whole, maxLen / 2) else { break }
                cuts.append(Cut(position: inRow - 1, next: groups[g].next, tasks: groups[g].tasks))
                g -= 1
            }
            rows.append(Row(items: items, cuts: cuts.reversed()))
        }
        return rows.reversed()
    }

    /// One pass over this epoch's cuts.
    public func trainEpoch(_ localEpoch: Int) throws -> DPREpochRecord {
        let epoch = epochOffset + localEpoch
        let started = Date()
        let tasks = sampler.tasks(epoch: epoch)
        let rows = Self.rows(tasks, maxLen: model.maxLen)
        let targets = tasks.map { $0.trainingTargets(epoch: epoch, seed: options.seed) }
        let texts = tasks.indices.map { prompts.text(for: tasks[$0], targets: targets[$0], stage: stage, epoch: epoch, seed: options.seed) }
        let leads = tasks.indices.map {
            prompts.compoundLead(for: tasks[$0], text: texts[$0], targets: targets[$0], epoch: epoch, seed: options.seed)
        }
        try bank.add(texts + leads.flatMap { $0?.steps.map(\.text) ?? [] })
        let promptIDs = texts.map(bank.id)
        let leadIDs = leads.map { $0.map { $0.steps.map { bank.id($0.text) } } }

        try model.setTraining(options.trainsBackbone)
        head.isTraining = true
        let batches = Self.batches(rows.count, lengths: rows.map(\.items.count), cuts: rows.map(\.cuts.count), size: options.batchSize,
                                   seed: options.seed &+ UInt64(epoch) &* 0x2545_F491_4F6C_DD1D)
        let progress = showProgress ? ProgressBar(total: batches.count, label: "\(stage.rawValue) epoch \(localEpoch)") : nil
        let (table, tableGrad) = try model.itemTable()
        let d = model.dim, v = model.nItems
        var seqSum = 0.0, seqRows = 0, promptSum = 0.0, promptRows = 0
        for (n, batch) in batches.enumerated() {
            let time = max(1, batch.map { rows[$0].items.count }.max() ?? 1)
            var ids = [UInt32](repeating: 0, count: batch.count * time), lengths = [UInt32](repeating: 0, count: batch.count)
            // Every cut of the batch: its flat position in the hidden states.
            var slots: [(offset: Int, cut: Cut)] = []
            for (r, row) in batch.enumerated() {
                for (j, item) in rows[row].items.enumerated() { ids[r * time + j] = UInt32(item) }
                lengths[r] = UInt32(rows[row].items.count)
                for cut in rows[row].cuts { slots.append(((r * time + cut.position) * d, cut)) }
            }
            var hidden = [Float](repeating: 0, count: batch.count * time * d)
            try model.forward(itemIDs: ids, lengths: lengths, batch: batch.count, time: time, into: &hidden)
            let k = slots.count
            var h = [Float](repeating: 0, count: k * d), dh = [Float](repeating: 0, count: k * d)
            for (i, slot) in slots.enumerated() {
                h.replaceSubrange((i * d)..<((i + 1) * d), with: hidden[slot.offset..<(slot.offset + d)])
            }
            let dItems: UnsafeMutablePointer<Float>? = options.trainsBackbone ? tableGrad : nil
            if options.sequenceWeight > 0, options.trainsBackbone {
                let result = softmaxCrossEntropy(hidden: h, dHidden: &dh, table: table, dTable: dItems, bias: nil, dBias: nil,
                                                 targets: slots.map(\.cut.next), rows: k, items: v, channels: d,
                                                 gradScale: options.sequenceWeight, workspace: workspace)
                seqSum += Double(result.loss) * Double(result.rows)
                seqRows += result.rows
            }
            // The batch's tasks, each pointing at its cut's row of h; a compound part a second time, behind its lead.
            var taskRows: [TaskRow] = []
            for (i, slot) in slots.enumerated() {
                for t in slot.cut.tasks {
                    taskRows.append(TaskRow(task: t, row: i, lead: nil))
                    if let lead = leads[t], let ids = leadIDs[t] { taskRows.append(TaskRow(task: t, row: i, lead: (ids, lead))) }
                }
            }
            let count = taskRows.count
            var users = [Float](repeating: 0, count: count * d)
            for (i, tr) in taskRows.enumerated() {
                users.replaceSubrange((i * d)..<((i + 1) * d), with: h[(tr.row * d)..<((tr.row + 1) * d)])
            }
            moveBehindLeads(&users, taskRows: taskRows)
            // Thousands of tasks share a few hundred phrasings: each goes through the projector once.
            let prompt = bank.gatherDistinct(taskRows.map { promptIDs[$0.task] }, mode: head.config.keyValue)
            let polarities = taskRows.map { tasks[$0.task].polarity == .positive ? PromptPolarity.positive : .negative }
            var z = [Float](repeating: 0, count: count * d), dz = [Float](repeating: 0, count: count * d)
            head.forward(out: &z, user: users, prompts: prompt.values, distinct: prompt.lengths.count, promptLength: prompt.keys,
                         promptLengths: prompt.lengths, promptOf: prompt.promptOf, polarities: polarities, batch: count)
            let loss = promptLoss(z: z, dZ: &dz, items: table, dItems: dItems,
                                  targets: TargetSets(taskRows.map { $0.lead?.part.targets ?? targets[$0.task] }),
                                  itemCount: v, dim: d, temperature: options.temperature, gradScale: options.promptWeight,
                                  workspace: workspace)
            promptSum += Double(loss.loss) * Double(loss.rows)
            promptRows += loss.rows
            if options.trainsBackbone {
                var dUsers = [Float](repeating: 0, count: count * d)
                head.backward(dZ: dz, dUser: &dUsers)
                // A row behind a lead took the lead's output, not h: no gradient reaches h from it.
                for (i, tr) in taskRows.enumerated() where tr.lead == nil {
                    for c in 0..<d { dh[tr.row * d + c] += dUsers[i * d + c] }
                }
                var dHidden = [Float](repeating: 0, count: batch.count * time * d)
                for (i, slot) in slots.enumerated() {
                    dHidden.replaceSubrange(slot.offset..<(slot.offset + d), with: dh[(i * d)..<((i + 1) * d)])
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

    /// One task as trained in a batch: the cut's row of h it starts from, and the compound steps it
    /// is trained behind (their bank ids), if any.
    struct TaskRow {
        let task: Int
        let row: Int
        let lead: (ids: [Int], part: CompoundLead)?
    }

    /// Moves the rows of `users` whose task row has a lead through the lead's steps, one tower
    /// after another, as serving does (no dropout), on the lead workspace: the main forward and
    /// its backward keep the default one. Internal, not private, so a test can check it step by step.
    func moveBehindLeads(_ users: inout [Float], taskRows: [TaskRow]) {
        let d = model.dim
        head.isTraining = false
        defer { head.isTraining = true }
        for step in 0..<(taskRows.map { $0.lead?.ids.count ?? 0 }.max() ?? 0) {
            let behind = taskRows.indices.filter { (taskRows[$0].lead?.ids.count ?? 0) > step }
            var input = [Float](), moved = [Float](repeating: 0, count: behind.count * d)
            input.reserveCapacity(behind.count * d)
            for i in behind { input.append(contentsOf: users[(i * d)..<((i + 1) * d)]) }
            let leads = behind.map { taskRows[$0].lead! }
            let prompt = bank.gatherDistinct(leads.map { $0.ids[step] }, mode: head.config.keyValue)
            head.forward(out: &moved, user: input, prompts: prompt.values, distinct: prompt.lengths.count, promptLength: prompt.keys,
                         promptLengths: prompt.lengths, promptOf: prompt.promptOf,
                         polarities: leads.map { $0.part.steps[step].polarity == .positive ? .positive : .negative }, batch: behind.count,
                         workspace: leadWorkspace)
            for (j, i) in behind.enumerated() { users.replaceSubrange((i * d)..<((i + 1) * d), with: moved[(j * d)..<((j + 1) * d)]) }
        }
    }

    /// Batches of row indices of about equal length, each holding about `size` cuts: shuffle,
    /// sort chunks of rows by length (little padding), cut batches once they reach `size` cuts,
    /// then shuffle the batch order.
    static func batches(_ count: Int, lengths: [Int], cuts: [Int], size: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededRandom(seed: seed)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        let meanCuts = max(1, cuts.reduce(0, +) / max(1, count))
        let chunk = max(1, size / meanCuts) * 32
        var batches: [[Int]] = []
        var start = 0
        while start < order.count {
            var current: [Int] = [], held = 0
            for row in order[start..<min(order.count, start + chunk)].sorted(by: { lengths[$0] < lengths[$1] }) {
                current.append(row)
                held += cuts[row]
                if held >= size {
                    batches.append(current)
                    current = []
                    held = 0
                }
            }
            if !current.isEmpty { batches.append(current) }
            start += chunk
        }
        batches.shuffle(using: &generator)
        return batches
    }
}
