// `steer train-dpr`: DPR stages 2 (genre prompts) and 3 (semantic tags) on top of a stage-1
// backbone checkpoint, then the Table-1 evaluation on the test part.
import ArgumentParser
import Foundation
import SteerBLAS
import SteerCheckpoint
import SteerData
import SteerDPR
import SteerDPRTraining
import SteerPlugins
import SteerPrompt
import SteerTasks
import SteerText
import SteerTraining

enum StageList: String, ExpressibleByArgument, CaseIterable {
    /// The paper's three stages (stage 1 is the input checkpoint).
    case all = "genre,tags"
    /// Genre prompts only.
    case genre
    /// The two-stage ablation: tags straight after stage 1, no genre stage.
    case tags
    var stages: [TrainingStage] { rawValue.split(separator: ",").map { TrainingStage(rawValue: String($0))! } }
}

extension TowerLayout: ExpressibleByArgument {}
extension KeyValueMode: ExpressibleByArgument {}
extension PositivePromptProtocol: ExpressibleByArgument {}

/// `--tasks-per-user`: a number of cuts, or every one.
enum CutCount: ExpressibleByArgument {
    case count(Int)
    case all

    init?(argument: String) {
        if argument == "all" { self = .all } else if let n = Int(argument), n >= 1 { self = .count(n) } else { return nil }
    }

    /// Cuts per user for the sampler: 'all' is more than any train part holds.
    var value: Int {
        switch self {
        case .count(let n): n
        case .all: Int(Int32.max)
        }
    }
}

struct TrainDPRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-dpr",
        abstract: "DPR stages 2–3: train the prompt head (and fine-tune the backbone) from a stage-1 checkpoint, then evaluate on the test part.")
    @Option(help: "Stage-1 checkpoint written by `steer train`.") var checkpoint: String
    @Option(help: "Checkpoint to write (backbone + DPR head).") var out: String
    @Option(help: "Dataset the checkpoint was trained on.") var dataset = "ml-1m"
    @Option(help: "Stages to run: genre,tags (the paper's 2 and 3), genre, or tags (the 2-stage ablation).") var stages: StageList = .all
    @Option(help: "Fusion towers: two (one per polarity) or single.") var towers: TowerLayout = .two
    @Option(help: "Cross-attention key/value: tokens (prompt token states) or pooled (one sentence vector).") var keyValue: KeyValueMode = .tokens
    @Option(help: "Maximum epochs of the genre stage.") var genreEpochs = 6
    @Option(help: "Maximum epochs of the tags stage.") var tagEpochs = 3
    @Option(help: "Head learning rate.") var headLr: Float = 1e-3
    @Option(help: "Backbone learning rate (0: frozen backbone).") var backboneLr: Float = 1e-4
    @Option(help: "λ, weight of the prompt loss.") var promptWeight: Float = 1
    @Option(help: "Weight of the next-item loss.") var sequenceWeight: Float = 1
    @Option(help: "Temperature τ of the prompt softmax.") var temperature: Float = 1
    @Option(help: "Training cut points per user and epoch, or 'all' (every position of the train part: one backbone pass serves a user's cuts together).")
    var tasksPerUser: CutCount = .count(4)
    @Option(help: "Cut points per batch.") var batchSize = 128
    @Option(help: "Epochs without a better validation score before a stage stops.") var patience = 2
    @Option(help: "Stage 3: share of POS tasks prompted with a tag of their target.") var tagShare = 0.5
    @Option(help: "Share of genre prompts phrased with the router's extra phrasings (0: the 20 training templates only).")
    var extraPhrasings = 0.0
    @Option(help: "Share of tasks trained a second time as one part of a compound prompt (\"g, but no h\"), from the vector the steps Recommend applies before it give: a POS task behind a refusal of h, a NEG task behind its own refusal and a request of g (0: none, as the paper trains).")
    var compoundShare = 0.0
    @Option(help: "What a POS prompt names, in training, validation and the test report: single-genre (the task's genre g) or genre-set (every genre of the target: 'action, adventure and science fiction'). Recorded in the checkpoint; `steer eval` defaults to it.")
    var posPrompts: PositivePromptProtocol = .default
    @Option(help: "Never select an epoch whose validation SEQ NDCG@10 is more than this fraction below the stage's start (1: off).")
    var sequenceTolerance = 0.015
    @Option(help: "Seed of tasks, prompts, batches and the head's initialisation.") var seed: UInt64 = 2020
    @Option(help: "Tag file (default: Data/ml-1m-tags.tsv for ml-1m; 'none' for genre fallback only).") var tags: String?
    @Option(help: "More wordings of the training tags: stage 3 trains on the 'train' ones and selects its epoch on the held-out 'select' ones (default: Data/ml-1m-tag-phrasings.tsv with the default tag file; 'none' for the tags alone).")
    var tagPhrasings: String?
    @Option(help: "Sentence encoder folder (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var encoder: String?
    @Option(help: "OpenBLAS threads.") var threads = 1
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?
    @Flag(help: "Skip the test evaluation at the end.") var noEval = false
    @Flag(help: "DIAGNOSTIC ONLY: draw training cuts from the whole sequences, validation and test parts included, to measure how much leaking the held-out parts into stages 2-3 inflates the test figures. The model and its report are marked; never report them as results.")
    var leakHeldOutParts = false
    @Option(help: "Continue from this DPR checkpoint (its backbone and head; e.g. `--stages tags` to run stage 3 longer). --checkpoint stays the stage-1 reference for SEQ and the Base rows.")
    var resume: String?

    func validate() throws {
        guard (0...1).contains(compoundShare) else { throw ValidationError("--compound-share \(compoundShare): a share is 0 … 1") }
    }

    func run() throws {
        let started = Date()
        BLASThreads.set(threads)
        if leakHeldOutParts {
            FileHandle.standardError.write(Data("warning: --leak-held-out-parts trains on the test windows; this model's figures are a leakage diagnostic, not results\n".utf8))
        }
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let split = try DatasetSplit(try DatasetLocator.load(dataset), scheme: .paper)
        guard split.dataset.itemTokens == saved.itemTokens else {
            throw ValidationError("the checkpoint's item vocabulary (\(saved.itemTokens.count) items) does not match \(dataset) with the paper split (\(split.dataset.itemCount) items)")
        }
        let host = PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory())
        let encoderPath = encoder ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2"
        let sentenceEncoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: encoderPath))
        let router = sentenceEncoder.name == "all-MiniLM-L6-v2" ? try PromptRouter.load() : nil
        let tagPath = tags ?? (URL(fileURLWithPath: dataset).lastPathComponent == "ml-1m" ? ItemTags.defaultPath() : "none")
        var itemTags = tagPath == "none" ? nil : try ItemTags(contentsOf: tagPath, dataset: split.dataset)
        let phrasingsPath = tagPhrasings ?? (tagPath == ItemTags.defaultPath() ? TagPhrasings.defaultPath() : "none")
        if let tags = itemTags, phrasingsPath != "none" {
            let phrasings = try TagPhrasings(contentsOf: phrasingsPath, itemTokens: split.dataset.itemTokens, tags: tags)
            itemTags?.phrasings = phrasings
            print("tag wordings: \(phrasings.all(.train).count) to train on, \(phrasings.all(.select).count) held out for selection, from \(phrasingsPath)"
                  + (phrasings.dropped > 0 ? "; \(phrasings.dropped) refused by the leakage guard" : "")
                  + (phrasings.unknownRows > 0 ? "; \(phrasings.unknownRows) rows for untagged items" : ""))
        }
        if let itemTags { print("tags: \(itemTags.taggedItems) items tagged from \(tagPath)\(itemTags.unknownRows > 0 ? " (\(itemTags.unknownRows) rows for items not in the split)" : "")") }
        let templates = try PromptTemplates.bundled()
        let extra = extraPhrasings > 0
            ? Dictionary(uniqueKeysWithValues: TaskPolarity.allCases.map { ($0, ExtraPhrasings.templates($0, guardedBy: templates)) }) : [:]
        if extraPhrasings > 0 {
            print("extra phrasings: \(extra[.positive]!.count) positive, \(extra[.negative]!.count) negative (after the leakage guard)")
        }
        let prompts = StagePrompts(templates: templates, categoryNames: split.dataset.categoryNames, tags: itemTags, tagShare: tagShare,
                                   extra: extra, extraShare: extraPhrasings, positivePrompts: posPrompts,
                                   itemCategories: split.dataset.itemCategories, compoundShare: compoundShare)
        print("POS prompts: \(posPrompts.rawValue), \(posPrompts.summary)")
        if compoundShare > 0 { print("compound prompts: \(compoundShare) of the tasks trained again behind the steps of a compound prompt that serving applies before them") }
        let bank = PromptBank(encoder: sentenceEncoder)
        var texts = prompts.allTrainingTexts()
        if let itemTags, stages.stages.contains(.tags) { texts += itemTags.trainingTexts(itemCount: split.dataset.itemCount) }
        let encodeStart = Date()
        try bank.add(texts)
        print(String(format: "prompt bank: %d distinct training prompts encoded with %@ in %.1f s", bank.count, sentenceEncoder.name, Date().timeIntervalSince(encodeStart)))

        var weights = saved.weights
        var sequenceReference: Double?
        var head: DPRHead
        if let resume {
            let earlier = try BackboneCheckpoint.load(contentsOf: resume)
            guard earlier.itemTokens == saved.itemTokens, earlier.plugin == saved.plugin, let archive = earlier.dprHead else {
                throw ValidationError("--resume \(resume) is not a DPR checkpoint of \(saved.plugin) over the same items")
            }
            head = try DPRHead(archive: archive)
            guard head.config.encoderDim == sentenceEncoder.dimension else {
                throw ValidationError("--resume \(resume): its head reads \(head.config.encoderDim)-d prompts, the encoder gives \(sentenceEncoder.dimension)-d")
            }
            weights = earlier.weights
            print("resuming from \(resume) (its backbone and head; towers and key/value as it was trained)")
            let earlierPrompts = try DPRSummary.positivePrompts(of: earlier)
            if earlierPrompts != posPrompts {
                print("note: \(resume) was trained with \(earlierPrompts.rawValue) POS prompts; this run continues with \(posPrompts.rawValue) ones")
            }
        } else {
            let dim = try host.load(name: saved.plugin, weights: saved.weights).info.dim
            head = try DPRHead(config: DPRConfig(dim: dim, encoderDim: sentenceEncoder.dimension, towers: towers, keyValue: keyValue), seed: seed)
        }
        print("DPR head: \(head.parameterCount) parameters; towers \(head.config.towers.rawValue), key/value \(head.config.keyValue.rawValue); backbone \(saved.plugin) \(backboneLr > 0 ? "fine-tuned at lr \(backboneLr)" : "frozen")")
        let validation = try SteeringEvaluation(split: split, templates: templates, windows: TaskBuilder.paperWindows, part: .validation,
                                                positivePrompts: posPrompts)
        if resume != nil {
            // The SEQ tolerance is measured from stage 1, not from the resumed backbone.
            var report = ControllableReport(title: "validation")
            try validation.evaluate(backbone: try host.load(name: saved.plugin, weights: saved.weights), queries: nil, name: "stage 1",
                                    baselines: true, into: &report)
            sequenceReference = report.averaged(model: "stage 1 Base", task: .seq)?.ndcg[0]
        }
        var options = DPRTrainingOptions()
        options.batchSize = batchSize
        options.headLearningRate = headLr
        options.backboneLearningRate = backboneLr
        options.promptWeight = promptWeight
        options.sequenceWeight = sequenceWeight
        options.temperature = temperature
        options.tasksPerUser = tasksPerUser.value
        options.patience = patience
        options.seed = seed
        options.tagShare = tagShare
        options.sequenceTolerance = sequenceTolerance
        options.leaksHeldOutParts = leakHeldOutParts
        let run = DPRStageRun(stage1: saved, stage1Path: checkpoint, out: out, stages: stages.stages,
                              epochs: [.genre: genreEpochs, .tags: tagEpochs], options: options,
                              encoderName: sentenceEncoder.name, positivePrompts: posPrompts)
        let trained = try run.run(host: host, split: split, prompts: prompts, bank: bank, validation: validation, head: head,
                                  weights: weights, sequenceReference: sequenceReference, started: started) {
            print($0)
            fflush(nil)   // each epoch's line reaches a log file now, after the lines printed before it
        }
        print(String(format: "stages %@ trained in %.1f min; wrote %@ and %@", stages.rawValue, trained.summary.wallSeconds / 60, out,
                     run.metricsPath))
        guard !noEval else { return }
        let stage1 = try host.load(name: saved.plugin, weights: saved.weights)
        var report = try DPRReport.measure(split: split, templates: templates, name: saved.plugin, dataset: dataset,
                                           stage1: stage1, finetuned: trained.backbone, head: trained.head, bank: bank, router: router,
                                           windows: TaskBuilder.paperWindows, tags: itemTags, positivePrompts: posPrompts)
        if leakHeldOutParts {
            report.title += " — LEAKAGE DIAGNOSTIC: stages 2-3 trained on the test windows, not a result"
        }
        try DPRReport.write(report, to: out + ".test", print: true)
    }
}
