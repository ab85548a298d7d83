// `steer eval`: full-ranking test metrics of a trained backbone checkpoint (SEQ task).
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerData
import SteerDPR
import SteerDPRTraining
import SteerPrompt
import SteerText
import SteerEvaluation
import SteerPlugins
import SteerTasks
import SteerTraining

enum HistoryMask: String, ExpressibleByArgument, CaseIterable { case on, off }
extension TimeOrder: ExpressibleByArgument {}
extension EvaluationPart: ExpressibleByArgument {}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval",
        abstract: "Evaluate a backbone checkpoint: NDCG and Recall at 10 and 20 over all items (history masked).")
    /// Report files with their keys sorted, so a report measured again differs only where its figures do.
    static let reportJSON: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    @Option(help: "Checkpoint written by `steer train`.") var checkpoint: String
    @Option(help: "Dataset it was trained on.") var dataset = "ml-1m"
    @Option(help: "Split: paper or loo.") var split: SplitChoice = .paper
    @Option(help: "SEQ: mask the user's history from the ranking (on, Steer's protocol) or not (off: RecBole 1.2.1's full-sort protocol for sequential models, which ranks every item but [PAD]).")
    var historyMask: HistoryMask = .on
    @Option(help: "Order of interactions: exact (timestamps as read) or recbole (RecBole 1.2.1's for ML-100k: min-max normalised timestamps in float32, ties in file order).")
    var timeOrder: TimeOrder = .exact
    @Option(help: "Tasks, comma-separated: seq, pos, neg (pos and neg: Base and Filter rows; DPR rows need the DPR head).")
    var tasks = "seq"
    @Option(help: "Windows N of the pos/neg tasks, comma-separated.") var windows = "3,5,10"
    @Option(help: "Write the pos/neg table as CSV here.") var csv: String?
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?
    @Option(help: "Write the report as JSON here.") var json: String?
    @Option(help: "With a DPR checkpoint: the stage-1 checkpoint it started from, for the Base and Filter rows (its own backbone gives Base+f and Filter+f).")
    var base: String?
    @Option(help: "With a DPR checkpoint: write <prefix>.{md,json,csv,svg} (table, data and chart).") var report: String?
    @Option(help: "With a DPR checkpoint: another DPR checkpoint to compare, as LABEL=PATH (repeatable), e.g. an ablation; adds the row '<plugin> DPR (LABEL)'.")
    var variant: [String] = []
    @Option(help: "Sentence encoder folder for DPR prompts (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var encoder: String?
    @Option(help: "With a DPR checkpoint: router model file for the routed and part-by-part rows (default: the one bundled in SteerPrompt), e.g. the router-head.json of a folder written by Scripts/train-router-encoder, or \"fine-tuned\" for the bundled fine-tuned router.")
    var router: String?
    @Option(help: "With a DPR checkpoint: tag file for the row 'DPR, tag prompts' (POS prompted with the target's evaluation tag paraphrase; default: Data/ml-1m-tags.tsv for ml-1m; 'none' to skip).")
    var tags: String?
    @Flag(help: "With a DPR checkpoint and tags: add a row prompting POS with the TRAINING tags, a check of how well stage 3 fitted them (not a result).")
    var tagFitCheck = false
    @Flag(help: "With a DPR checkpoint and tags: steer every request together with its nearest training requests (the prompt memory: the positive training templates with every genre, the training tags and the training rows of Data/ml-1m-tag-phrasings.tsv) in every DPR row, and in --prompts-file and --compound.")
    var promptMemory = false
    @Option(help: "With --prompts-file: the confidence below which a part is left out (default: steerd's, 0.75).")
    var minPartConfidence: Double?
    @Flag(help: "With --variant: also rank each variant's steered vectors with the genre filter (row '… + Filter').")
    var filtered = false
    @Option(help: "With a DPR checkpoint: what a POS prompt names, single-genre or genre-set (default: the protocol the checkpoint was trained with; single-genre for checkpoints that record none). Every steered row, variants included, uses it.")
    var posPrompts: PositivePromptProtocol?
    @Option(help: "With a DPR checkpoint: the prompt encoder's linear layers, and a fine-tuned router's, fp32 (default) or int8 (AVX-512 VNNI).")
    var encoderPrecision: EncoderPrecision = .fp32
    @Flag(help: "With a DPR checkpoint: add the row 'DPR soft-routed' (both towers' outputs mixed by the router's probability).")
    var softRouting = false
    @Flag(help: "With a DPR checkpoint: measure the compound tasks (\"g, but no h\": the ways of combining the two parts, against Filter with g kept and h removed) instead of Table 1; with --report, writes <prefix>.{md,json}.")
    var compound = false
    @Option(help: "With --compound: the users' part, test (default) or validation (to choose how parts combine without test figures).")
    var compoundPart: EvaluationPart = .test
    @Option(help: "With a DPR checkpoint: Table 1 on the users' test part (default) or validation part (to choose without test figures; the tag row then uses the held-out extra tag wordings, never the evaluation paraphrases).")
    var part: EvaluationPart = .test
    @Option(help: "With a DPR checkpoint: natural prompts labelled part by part (kind<TAB>prompt<TAB>+:Genre;-:Genre, e.g. Tests/Fixtures/prompts/issue15-frozen.tsv) served to 50 sampled test users as Recommend serves them: the genre shares of the top 10 with and without each prompt, instead of Table 1; with --report, writes <prefix>.{md,json}.")
    var promptsFile: String?

    func validate() throws {
        if let c = minPartConfidence {
            // The range steerd's --min-part-confidence takes, so one value means the same in both.
            guard (0...1).contains(c) else { throw ValidationError("--min-part-confidence must be in 0...1; got \(c)") }
            guard promptsFile != nil else { throw ValidationError("--min-part-confidence applies to --prompts-file only") }
        }
    }

    func run() throws {
        let wanted = Set(tasks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard !wanted.isEmpty, wanted.isSubset(of: ["seq", "pos", "neg"]) else { throw ValidationError("--tasks takes seq, pos and neg") }
        let windowList: [Int] = try parseList(windows, what: "--windows")
        guard !windowList.isEmpty, windowList.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--windows must list positive numbers") }
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let data = try DatasetLocator.load(dataset, timeOrder: timeOrder)
        let parts = try DatasetSplit(data, scheme: split.scheme)
        guard parts.dataset.itemTokens == saved.itemTokens else {
            throw ValidationError("the checkpoint's item vocabulary (\(saved.itemTokens.count) items) does not match \(dataset) with the \(split.rawValue) split (\(parts.dataset.itemCount) items)")
        }
        let host = PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory())
        let backbone = try host.load(name: saved.plugin, weights: saved.weights)
        if saved.dprHead != nil, historyMask == .off {
            throw ValidationError("--history-mask off applies to the seq task of a backbone checkpoint; the DPR report masks histories")
        }
        if let archive = saved.dprHead {
            // A promptable model: the Table-1 rows of DPR beside the baselines.
            guard split == .paper else { throw ValidationError("DPR tasks are defined on the paper split") }
            let head = try DPRHead(archive: archive)
            let trainedWith = try DPRSummary.positivePrompts(of: saved)
            let protocolUsed = posPrompts ?? trainedWith
            let encoderDirectory = URL(fileURLWithPath: encoder ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2")
            let sentenceEncoder = try SentenceEncoders.load(directory: encoderDirectory, precision: encoderPrecision)
            FileHandle.standardError.write(Data("eval: prompt encoder \(sentenceEncoder.name) on \(sentenceEncoder.kernelDescription)\n".utf8))
            let router = try self.router.map { try PromptRouter.load(named: $0, encoderPrecision: encoderPrecision, baseEncoder: encoderDirectory) }
                ?? (sentenceEncoder.name == "all-MiniLM-L6-v2" ? try PromptRouter.load() : nil)
            if let mismatch = router?.mismatch(with: sentenceEncoder) { throw ValidationError("the router was \(mismatch)") }
            let stage1 = try base.map { path -> Backbone in
                let original = try BackboneCheckpoint.load(contentsOf: path)
                guard original.itemTokens == saved.itemTokens else { throw ValidationError("\(path) has another item vocabulary") }
                return try host.load(name: original.plugin, weights: original.weights)
            }
            let tagPath = tags ?? (URL(fileURLWithPath: dataset).lastPathComponent == "ml-1m" ? ItemTags.defaultPath() : "none")
            var itemTags = tagPath == "none" ? nil : try ItemTags(contentsOf: tagPath, dataset: parts.dataset)
            if let tags = itemTags, promptMemory || part == .validation {
                itemTags?.phrasings = try TagPhrasings(contentsOf: TagPhrasings.defaultPath(), itemTokens: parts.dataset.itemTokens, tags: tags)
            }
            var memory: PromptMemory?
            if promptMemory {
                guard let tags = itemTags else { throw ValidationError("--prompt-memory needs tags (--tags)") }
                let texts = PromptMemory.trainingRequests(templates: try PromptTemplates.bundled(), categoryNames: parts.dataset.categoryNames, tags: tags,
                                                          itemCount: parts.dataset.itemCount)
                memory = try PromptMemory(texts: texts, encoder: sentenceEncoder) { done, total in
                    if done == total || done % 2560 == 0 { FileHandle.standardError.write(Data("eval: prompt memory \(done)/\(total) embedded\n".utf8)) }
                }
            }
            if let promptsFile {
                guard let router else { throw ValidationError("--prompts-file reads prompts with the router, which needs all-MiniLM-L6-v2 as --encoder") }
                var measured = try NaturalPromptEvaluation.measure(
                    prompts: try NaturalPrompt.read(URL(fileURLWithPath: promptsFile)), split: parts, name: saved.plugin, backbone: backbone,
                    head: head, bank: PromptBank(encoder: sentenceEncoder), router: router, memory: memory,
                    minimumConfidence: minPartConfidence ?? PromptReading.defaultMinimumConfidence)
                measured.notes.append(routerNote(router))
                if let memory { measured.notes.append(memory.summary) }
                if let c = minPartConfidence { measured.notes.append("Parts read with confidence below \(c) left out (steerd's default: \(PromptReading.defaultMinimumConfidence)).") }
                print(measured.markdown())
                if let report {
                    try measured.markdown().write(toFile: report + ".md", atomically: true, encoding: .utf8)
                    try Self.reportJSON.encode(measured).write(to: URL(fileURLWithPath: report + ".json"))
                }
                return
            }
            if compound {
                var measured = try CompoundEvaluation.measure(
                    split: parts, templates: try PromptTemplates.bundled(), name: saved.plugin, dataset: dataset, backbone: backbone,
                    head: head, bank: PromptBank(encoder: sentenceEncoder), router: router, windows: windowList,
                    part: compoundPart, memory: memory)
                if let router { measured.notes.append(routerNote(router)) }
                if let memory { measured.notes.append(memory.summary) }
                print(measured.markdown())
                if let report {
                    try measured.markdown().write(toFile: report + ".md", atomically: true, encoding: .utf8)
                    try Self.reportJSON.encode(measured).write(to: URL(fileURLWithPath: report + ".json"))
                }
                return
            }
            let measured = try DPRReport.measure(split: parts, templates: try PromptTemplates.bundled(), name: saved.plugin, dataset: dataset,
                                              stage1: stage1, finetuned: backbone, head: head, bank: PromptBank(encoder: sentenceEncoder),
                                              router: router, windows: windowList, tags: itemTags, positivePrompts: protocolUsed,
                                              softRouting: softRouting, memory: memory, part: part)
            var table = measured
            if let router { table.notes.append(routerNote(router)) }
            if trainedWith != protocolUsed {
                table.notes.append("\(checkpoint) was trained with \(trainedWith.rawValue) POS prompts and is evaluated here with \(protocolUsed.rawValue) ones.")
            }
            if tagFitCheck, let itemTags {
                let evaluation = try SteeringEvaluation(split: parts, templates: try PromptTemplates.bundled(), windows: windowList, part: .test,
                                                        positivePrompts: protocolUsed)
                try evaluation.evaluateTagPrompts(backbone: backbone, queries: SteeringQueries(head: head, bank: PromptBank(encoder: sentenceEncoder), router: nil),
                                                  tags: itemTags, wording: .training, name: "\(saved.plugin) DPR, training tags (fit check)", into: &table)
            }
            for entry in variant {
                guard let eq = entry.firstIndex(of: "=") else { throw ValidationError("--variant takes LABEL=PATH, got \(entry)") }
                let label = String(entry[..<eq]), path = String(entry[entry.index(after: eq)...])
                let other = try BackboneCheckpoint.load(contentsOf: path)
                guard other.itemTokens == saved.itemTokens, let otherHead = other.dprHead else {
                    throw ValidationError("\(path) is not a DPR checkpoint over the same items")
                }
                let otherTrainedWith = try DPRSummary.positivePrompts(of: other)
                if otherTrainedWith != protocolUsed {
                    table.notes.append("Variant \(label) (\(path)) was trained with \(otherTrainedWith.rawValue) POS prompts and is evaluated here with \(protocolUsed.rawValue) ones.")
                }
                let evaluation = try SteeringEvaluation(split: parts, templates: try PromptTemplates.bundled(), windows: windowList, part: .test,
                                                        positivePrompts: protocolUsed)
                try evaluation.evaluate(backbone: try host.load(name: other.plugin, weights: other.weights),
                                        queries: SteeringQueries(head: try DPRHead(archive: otherHead), bank: PromptBank(encoder: sentenceEncoder), router: nil),
                                        name: "\(saved.plugin) DPR (\(label))", baselines: false, filtered: filtered, into: &table)
            }
            print(table.markdown())
            if let report { try DPRReport.write(table, to: report, print: false) }
            if let json { try table.json().write(to: URL(fileURLWithPath: json)) }
            if let csv { try table.csv().write(toFile: csv, atomically: true, encoding: .utf8) }
            return
        }
        guard posPrompts == nil else { throw ValidationError("--pos-prompts needs a DPR checkpoint (one written by `steer train-dpr`); \(checkpoint) has no prompt head") }
        let cases = parts.cases(.test)
        let vectors = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let items = backbone.itemEmbeddings, d = backbone.info.dim
        let evaluator = try FullRankingEvaluator(cutoffs: [10, 20])
        var report = ControllableReport(title: "\(saved.plugin) on \(dataset), \(parts.scheme) split, test")
        if historyMask == .off {
            guard wanted == ["seq"] else { throw ValidationError("--history-mask off applies to the seq task only") }
            report.notes = ["SEQ ranks every item, the history included (--history-mask off: RecBole 1.2.1's full-sort protocol for sequential models)."]
        }
        if wanted.contains("seq") {
            let seq = try evaluator.evaluate(users: vectors, items: items, dimension: d,
                                             excluded: cases.map { historyMask == .on ? $0.history : ArraySlice<Int32>() },
                                             targets: cases.map { [$0.target] }).mean
            report.append(model: "\(saved.plugin) Base", task: .seq, window: nil, metrics: seq)
        }
        if wanted.contains("pos") || wanted.contains("neg") {
            var sets = try TaskBuilder(split: parts).taskSets(windows: windowList, part: .test)
            for i in sets.indices {
                if !wanted.contains("pos") { sets[i].positive = [] }
                if !wanted.contains("neg") { sets[i].negative = [] }
            }
            let ranking = TaskRanking(dataset: parts.dataset, evaluator: evaluator)
            // Base, Filter and, for POS, the genre-set reference filters (no prompt involved).
            for method in RankingMethod.allCases {
                try ranking.evaluate(model: "\(saved.plugin) \(method.label())", method: method, taskSets: sets,
                                     queries: .perCase(vectors, users: cases.map(\.user)), items: items, dimension: d, into: &report)
            }
            // Model-free reference: the genre's items by training popularity (d = 1: every query is 1,
            // every item's "embedding" its train count).
            try ranking.evaluate(model: "Popularity Filter", method: .filter, taskSets: sets,
                                 queries: .perCase([Float](repeating: 1, count: cases.count), users: cases.map(\.user)),
                                 items: PopularityBaseline.trainCounts(parts), dimension: 1, into: &report)
        }
        print(report.markdown())
        if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
        if let csv { try report.csv().write(toFile: csv, atomically: true, encoding: .utf8) }
    }

    /// Which router a report's routed and part-by-part rows used, in words: `--router` changes
    /// those rows, so the report must say which it was.
    private func routerNote(_ loaded: PromptRouter) -> String {
        "Router: \(router ?? "the one bundled in SteerPrompt") (\(loaded.summary))."
    }
}
