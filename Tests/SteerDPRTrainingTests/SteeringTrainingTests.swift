// DPR stages 2–3 end to end on a tiny synthetic catalogue with the real MiniLM encoder: the
// prompt loss falls, steered rankings beat the unsteered ones, and a trained model recommends
// items of the asked-for genre and keeps away from a ruled-out one.
import Foundation
import SteerData
import SteerDPR
import SteerEvaluation
import SteerPlugins
import SteerPrompt
import SteerRandom
import SteerTasks
import SteerText
import SteerTraining
@testable import SteerDPRTraining
import XCTest

final class SteeringTrainingTests: XCTestCase {
    static let genres = ["Comedy", "Horror", "Western", "Documentary"]

    /// 40 movies, 10 per genre (item g·10 + k has genre g). 160 users each watch 30 movies in
    /// blocks of 2–5 consecutive movies of one genre (cyclic within the genre, from a per-user
    /// offset), each block in another genre than the last: next-item prediction is easy inside a
    /// block, and the genre switch at a block boundary is exactly what a prompt can tell. Blocks
    /// are short, so held-out windows of 3 items often contain a switch (a POS task).
    static func dataset() throws -> SequenceDataset {
        var log = InteractionLog(file: "synthetic")
        var catalog = ItemCatalog(file: "synthetic")
        for g in 0..<4 { for k in 0..<10 { catalog.entries["m\(g * 10 + k)"] = .init(title: "Movie \(g * 10 + k)", categories: [genres[g]]) } }
        var generator = SeededRandom(seed: 7)
        for user in 0..<160 {
            var genre = Int(generator.next() % 4)
            var position = Array(repeating: Int(generator.next() % 10), count: 4)
            var t = 0
            while t < 30 {
                let block = 2 + Int(generator.next() % 4)
                for _ in 0..<min(block, 30 - t) {
                    log.append(user: "u\(user)", item: "m\(genre * 10 + position[genre] % 10)", timestamp: Double(t))
                    position[genre] += 1
                    t += 1
                }
                genre = (genre + 1 + Int(generator.next() % 3)) % 4
            }
        }
        return SequenceDataset(log: log, catalog: catalog)
    }

    static var pluginDirectory: String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.path
    }

    static var miniLMDirectory: String {
        let cache = ProcessInfo.processInfo.environment["STEER_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/steer"
        return cache + "/models/all-MiniLM-L6-v2"
    }

    typealias Trained = (split: DatasetSplit, stage1: Backbone, tuned: Backbone, queries: SteeringQueries,
                         history: [DPREpochRecord], templates: PromptTemplates)
    /// Trained once and shared by the tests (about a minute of training on two cores).
    nonisolated(unsafe) static var shared: Result<Trained, any Error>?
    static let sharedLock = NSLock()

    func trainAll() throws -> Trained { try Self.trained() }

    static func trained() throws -> Trained {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let shared { return try shared.get() }
        let result = Result { try train() }
        shared = result
        return try result.get()
    }

    /// Stage 1 on the synthetic data, then the genre stage; returns what the assertions need.
    static func train() throws -> Trained {
        let split = try DatasetSplit(Self.dataset(), scheme: .paper)
        let host = PluginHost(directory: Self.pluginDirectory)
        let config = #"{"n_items": \#(split.dataset.itemCount), "max_len": 30, "hidden": 16, "layers": 1, "heads": 2, "inner": 32, "dropout": 0.1, "attention_dropout": 0.1}"#
        var stageOne = TrainingOptions()
        stageOne.epochs = 15
        stageOne.batchSize = 32
        stageOne.learningRate = 0.01
        stageOne.patience = 15
        let pre = try StageOneTrainer(model: TrainableBackbone(host.load(name: "SASRec", config: config, weights: [])), split: split, options: stageOne)
        pre.showProgress = false
        let stage1 = try host.load(name: "SASRec", weights: try pre.run().bestWeights)

        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: Self.miniLMDirectory))
        let templates = try PromptTemplates.bundled()
        let prompts = StagePrompts(templates: templates, categoryNames: split.dataset.categoryNames, tags: nil)
        let bank = PromptBank(encoder: encoder)
        try bank.add(prompts.allTrainingTexts())
        let head = try DPRHead(config: DPRConfig(dim: 16, encoderDim: encoder.dimension), seed: 3)
        let queries = SteeringQueries(head: head, bank: bank, router: nil)
        var options = DPRTrainingOptions()
        options.epochs = 12
        options.batchSize = 32
        options.headLearningRate = 3e-3
        options.backboneLearningRate = 1e-3
        options.tasksPerUser = 6
        options.patience = 12
        let tuning = try host.load(name: "SASRec", weights: try TrainableBackbone(stage1).save())
        let trainer = try DPRTrainer(model: TrainableBackbone(tuning), head: head, split: split, stage: .genre, prompts: prompts,
                                     bank: bank, validation: nil, queries: queries, options: options)
        trainer.showProgress = false
        let result = try trainer.run()
        try head.load(archive: result.bestHead)
        let tuned = try host.load(name: "SASRec", weights: result.bestBackbone)
        return (split, stage1, tuned, queries, result.history, templates)
    }

    func testPromptLossFallsAndSteeringBeatsTheUnsteeredRanking() throws {
        let r = try trainAll()
        let losses = r.history.map(\.promptLoss)
        XCTAssertLessThan(losses.last!, losses.first! * 0.8, "prompt loss per epoch \(losses)")
        let evaluation = try SteeringEvaluation(split: r.split, templates: r.templates, windows: [3, 5], part: .test)
        var report = ControllableReport(title: "synthetic")
        try evaluation.evaluate(backbone: r.stage1, queries: nil, name: "SASRec", baselines: true, into: &report)
        try evaluation.evaluate(backbone: r.tuned, queries: r.queries, name: "SASRec DPR", baselines: false, into: &report)
        XCTAssertGreaterThan(report.averaged(model: "SASRec DPR", task: .pos)!.users, 50, "too few POS tasks to measure")
        let base = report.averaged(model: "SASRec Base", task: .pos)!.ndcg[0]
        let dpr = report.averaged(model: "SASRec DPR", task: .pos)!.ndcg[0]
        XCTAssertGreaterThan(dpr, base + 0.1, report.markdown())
        let seqBase = report.averaged(model: "SASRec Base", task: .seq)!.ndcg[0]
        let seqDPR = report.averaged(model: "SASRec DPR", task: .seq)!.ndcg[0]
        XCTAssertGreaterThan(seqDPR, seqBase - 0.1, "fine-tuning must keep next-item prediction: \(report.markdown())")
    }

    /// Soft routing (issue 14): each task's z is the router's probability times the positive
    /// tower's output plus the rest times the negative tower's; without a router it is the stated path.
    func testSoftRoutingMixesBothTowersByTheRoutersProbability() throws {
        let r = try trainAll()
        let sets = try TaskBuilder(split: r.split).taskSets(windows: [3], part: .test)
        let tasks = Array(sets.flatMap { Array($0.positive.prefix(10)) + Array($0.negative.prefix(10)) })
        XCTAssertGreaterThan(tasks.count, 10)
        let texts = tasks.map { r.templates.prompt(for: $0, in: r.split.dataset, seed: 1) }
        try r.queries.bank.add(texts)
        let cases = r.split.cases(.test)
        let users = try SequentialEvaluation.userVectors(r.tuned, cases: cases)
        let row = Dictionary(cases.enumerated().map { ($1.user, $0) }, uniquingKeysWith: { first, _ in first })
        let head = r.queries.head, bank = r.queries.bank, d = head.config.dim
        // Dropout would make every forward differ: compare deterministic (serving) forwards.
        let wasTraining = head.isTraining
        head.isTraining = false
        defer { head.isTraining = wasTraining }
        let soft = SteeringQueries(head: head, bank: bank, router: try PromptRouter.load(), soft: true)
        let z = try soft.fuse(tasks: tasks, texts: texts, users: users, userRow: { row[$0.user]! })
        let p = try soft.positiveProbabilities(texts, fallback: tasks.map(\.polarity))
        let stated = SteeringQueries(head: head, bank: bank, router: nil)
        let zPos = try stated.fuse(tasks: tasks, texts: texts, polarity: Array(repeating: .positive, count: tasks.count),
                               users: users, userRow: { row[$0.user]! }, batch: 512)
        let zNeg = try stated.fuse(tasks: tasks, texts: texts, polarity: Array(repeating: .negative, count: tasks.count),
                               users: users, userRow: { row[$0.user]! }, batch: 512)
        var towersDiffer = false
        for t in tasks.indices {
            XCTAssert(p[t] > 0 && p[t] < 1, "p = \(p[t])")
            for j in (t * d)..<((t + 1) * d) {
                XCTAssertEqual(z[j], p[t] * zPos[j] + (1 - p[t]) * zNeg[j], accuracy: 1e-4)
                if abs(zPos[j] - zNeg[j]) > 1e-3 { towersDiffer = true }
            }
        }
        XCTAssert(towersDiffer, "the two towers give the same z: the mixture test would prove nothing")
        let noRouter = SteeringQueries(head: head, bank: bank, router: nil, soft: true)
        let plain = try stated.fuse(tasks: tasks, texts: texts, users: users, userRow: { row[$0.user]! })
        XCTAssertEqual(try noRouter.fuse(tasks: tasks, texts: texts, users: users, userRow: { row[$0.user]! }), plain)
    }

    /// The Table-1 report's rows (what `steer eval` and `steer train-dpr` print): the soft-routed
    /// row appears only when asked for, and holds what a soft-routing evaluation measures.
    func testReportAddsTheSoftRoutedRowOnlyWhenAsked() throws {
        let r = try trainAll()
        let router = try PromptRouter.load()
        let wasTraining = r.queries.head.isTraining
        r.queries.head.isTraining = false  // serving forwards: no dropout, so two evaluations agree
        defer { r.queries.head.isTraining = wasTraining }
        func report(soft: Bool) throws -> ControllableReport {
            try DPRReport.measure(split: r.split, templates: r.templates, name: "SASRec", dataset: "synthetic", stage1: r.stage1,
                                  finetuned: r.tuned, head: r.queries.head, bank: r.queries.bank, router: router, windows: [3],
                                  positivePrompts: .singleGenre, softRouting: soft)
        }
        let plain = try report(soft: false), soft = try report(soft: true)
        XCTAssertNil(plain.averaged(model: "SASRec DPR soft-routed", task: .neg))
        XCTAssertNotNil(plain.averaged(model: "SASRec DPR routed", task: .neg))
        XCTAssertNotNil(plain.averaged(model: "SASRec DPR read part by part", task: .neg), "the path Recommend takes is always measured")
        let row = try XCTUnwrap(soft.averaged(model: "SASRec DPR soft-routed", task: .neg))
        let evaluation = try SteeringEvaluation(split: r.split, templates: r.templates, windows: [3], part: .test)
        var direct = ControllableReport(title: "direct")
        try evaluation.evaluate(backbone: r.tuned, queries: SteeringQueries(head: r.queries.head, bank: r.queries.bank, router: router, soft: true),
                                name: "soft", baselines: false, into: &direct)
        XCTAssertEqual(row.ndcg[0], try XCTUnwrap(direct.averaged(model: "soft", task: .neg)).ndcg[0], accuracy: 1e-9)
        // The rows the report had before stay as they were.
        XCTAssertEqual(try XCTUnwrap(soft.averaged(model: "SASRec DPR routed", task: .pos)).ndcg[0],
                       try XCTUnwrap(plain.averaged(model: "SASRec DPR routed", task: .pos)).ndcg[0], accuracy: 1e-9)
    }

    /// Train, then recommend as steerd does for one request: encode the history, embed the
    /// prompt (an EVALUATION phrasing, never trained on), fuse, rank all items.
    func testTrainedModelRecommendsTheAskedGenreAndAvoidsTheRuledOutOne() throws {
        let r = try trainAll()
        let data = r.split.dataset
        let horror = Int32(data.categoryNames.firstIndex(of: "Horror")!)
        let western = Int32(data.categoryNames.firstIndex(of: "Western")!)
        // A Horror fan (history: ten horror movies).
        let history = (10..<20).map { UInt32(data.itemID("m\($0)")!) }
        let h = try r.tuned.encode(histories: [history])
        let items = r.tuned.itemEmbeddings
        func top(_ z: [Float], k: Int = 5) -> [Int] {
            let scores = (0..<data.itemCount).map { i in (0..<16).reduce(Float(0)) { $0 + z[$1] * items[i * 16 + $1] } }
            return (0..<data.itemCount).filter { !history.contains(UInt32($0)) }.sorted { scores[$0] > scores[$1] }.prefix(k).map { $0 }
        }
        func fused(_ text: String, _ polarity: PromptPolarity) throws -> [Float] {
            try r.queries.bank.add([text])
            let tokens = r.queries.bank.tokens(r.queries.bank.id(text))
            return r.queries.head.fuse(user: h, prompt: tokens.values, polarity: polarity)
        }
        let westernShare = { (list: [Int]) in Double(list.filter { data.itemCategories[$0].contains(western) }.count) / Double(list.count) }
        let plain = top(h)
        let asked = top(try fused(r.templates.render(r.templates.templates(.positive, .evaluation)[0], genreName: "Western"), .positive))
        XCTAssertGreaterThanOrEqual(westernShare(asked), 0.8, "top-5 for 'Western' \(asked), unsteered \(plain)")
        XCTAssertGreaterThan(westernShare(asked), westernShare(plain))
        let avoided = top(try fused(r.templates.render(r.templates.templates(.negative, .evaluation)[0], genreName: "Horror"), .negative), k: 3)
        let horrorLeft = avoided.filter { data.itemCategories[$0].contains(horror) }.count
        XCTAssertLessThanOrEqual(horrorLeft, 1, "top-3 when avoiding Horror \(avoided), unsteered \(plain)")
    }

    /// Rows of the trainer: every task is served exactly once, by a row whose states at the
    /// cut's position come from the cut's own history (its last items, at least min(history,
    /// maxLen/2) of them), and no row is longer than the backbone's window. With every cut drawn
    /// and a window of 8 over train parts of about 24 items, users need several rows.
    func testRowsServeEveryCutFromItsOwnHistory() throws {
        let split = try DatasetSplit(Self.dataset(), scheme: .paper)
        let sampler = try TrainingTaskSampler(split: split, configuration: .init(tasksPerUser: Int(Int32.max)))
        let tasks = sampler.tasks(epoch: 1)
        let maxLen = 8
        let rows = DPRTrainer.rows(tasks, maxLen: maxLen)
        var served = [Int](repeating: 0, count: tasks.count)
        var usersWithSeveralRows = Set<Int>(), seen = Set<Int>()
        for row in rows {
            XCTAssertLessThanOrEqual(row.items.count, maxLen)
            XCTAssertFalse(row.cuts.isEmpty)
            XCTAssertEqual(row.cuts.map(\.position), row.cuts.map(\.position).sorted(), "cuts ascend within a row")
            for cut in row.cuts {
                let inRow = Array(row.items.prefix(cut.position + 1))
                for t in cut.tasks {
                    served[t] += 1
                    let history = tasks[t].history
                    XCTAssertEqual(Array(history.suffix(inRow.count)), inRow, "the row's states at the cut see the cut's last items")
                    XCTAssertGreaterThanOrEqual(inRow.count, min(history.count, maxLen / 2))
                    XCTAssertEqual(cut.next, tasks[t].windowItems[0])
                }
            }
            let user = tasks[row.cuts[0].tasks[0]].user
            if !seen.insert(user).inserted { usersWithSeveralRows.insert(user) }
        }
        XCTAssertEqual(served, [Int](repeating: 1, count: tasks.count), "each task is served once")
        XCTAssertFalse(usersWithSeveralRows.isEmpty, "long train parts must be split into rows")
        // Batches hold whole rows, about `size` cuts each, and cover every row once.
        let batches = DPRTrainer.batches(rows.count, lengths: rows.map(\.items.count), cuts: rows.map(\.cuts.count), size: 40, seed: 3)
        XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<rows.count))
        for batch in batches { XCTAssertLessThan(batch.map { rows[$0].cuts.count }.reduce(0, +), 40 + maxLen) }
    }

    func testItemTagsParseAndRejectMalformedRows() throws {
        let tokens = ["A (1999)", "B (2000)"]
        let good = "# comment\nitem_id\tnarrative\tatmosphere\tappeal\tnarrative_eval\tatmosphere_eval\tappeal_eval\nA (1999)\tn\ta\tp\tne\tae\tpe\nZ (1)\tx\tx\tx\tx\tx\tx\n"
        let tags = try ItemTags(text: good, source: "t.tsv", itemTokens: tokens)
        XCTAssertEqual(tags.taggedItems, 1)
        XCTAssertEqual(tags.unknownRows, 1)
        XCTAssertEqual(tags.tag(0, .atmosphere, .training), "a")
        XCTAssertEqual(tags.tag(0, .appeal, .evaluation), "pe")
        XCTAssertNil(tags.tag(1, .narrative, .training))
        let header = "item_id\tnarrative\tatmosphere\tappeal\tnarrative_eval\tatmosphere_eval\tappeal_eval\n"
        XCTAssertThrowsError(try ItemTags(text: header + "A (1999)\tn\ta\n", source: "t.tsv", itemTokens: tokens)) {
            XCTAssertEqual("\($0)", "t.tsv:2: 3 fields, expected 7")
        }
        XCTAssertThrowsError(try ItemTags(text: header + "A (1999)\tn\t\tp\tne\tae\tpe\n", source: "t.tsv", itemTokens: tokens)) {
            XCTAssertEqual("\($0)", "t.tsv:2: an empty field")
        }
        let row = "A (1999)\tn\ta\tp\tne\tae\tpe\n"
        XCTAssertThrowsError(try ItemTags(text: header + row + row, source: "t.tsv", itemTokens: tokens)) {
            XCTAssertEqual("\($0)", "t.tsv:3: A (1999) appears twice")
        }
        XCTAssertThrowsError(try ItemTags(text: row, source: "t.tsv", itemTokens: tokens))
    }

    /// The shipped tag file parses against the real ML-1M vocabulary shape: 1,000 rows, 7 fields.
    func testShippedTagFileIsWellFormed() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Data/ml-1m-tags.tsv"), encoding: .utf8)
        let ids = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().map { String($0.split(separator: "\t")[0]) }
        let tags = try ItemTags(text: text, source: "ml-1m-tags.tsv", itemTokens: ids)
        XCTAssertEqual(tags.taggedItems, 1000)
        XCTAssertEqual(tags.unknownRows, 0)
    }
}

final class TagPhrasingsTests: XCTestCase {
    private let tagText = "item_id\tnarrative\tatmosphere\tappeal\tnarrative_eval\tatmosphere_eval\tappeal_eval\n"
        + "A (1999)\ttoys come alive at night\twarm and playful\tfamilies with small kids\tplaythings secretly animate\tcosy and jolly\tparents with young children\n"

    /// Rows parse per item, facet and use; a wording that brings an evaluation-paraphrase word the
    /// training tag lacks is refused and counted; stage 3's training wordings are the tag and the
    /// `train` rows, the selection wording the first `select` row.
    func testPhrasingsParseAndGuardAgainstTheEvaluationWording() throws {
        let tokens = ["A (1999)", "B (2000)"]
        var tags = try ItemTags(text: tagText, source: "t.tsv", itemTokens: tokens)
        let file = "# c\nitem_id\tfacet\tuse\tphrasing\n"
            + "A (1999)\tnarrative\ttrain\ta child's figurines wake up after dark\n"
            + "A (1999)\tnarrative\tselect\tdolls that move when nobody looks\n"
            + "A (1999)\tatmosphere\ttrain\tcosy, sunny and fun\n"            // "cosy" is only in the evaluation wording
            + "A (1999)\tappeal\ttrain\tkids and their families\n"          // nothing of the evaluation wording: kept
            + "B (2000)\tnarrative\ttrain\tanything\n"                      // B has no tags
        let phrasings = try TagPhrasings(text: file, source: "p.tsv", itemTokens: tokens, tags: tags)
        XCTAssertEqual(phrasings.rows, 3)
        XCTAssertEqual(phrasings.dropped, 1)
        XCTAssertEqual(phrasings.unknownRows, 1)
        tags.phrasings = phrasings
        XCTAssertEqual(tags.trainingWordings(0, .narrative), ["toys come alive at night", "a child's figurines wake up after dark"])
        XCTAssertEqual(tags.trainingWordings(0, .atmosphere), ["warm and playful"])
        XCTAssertEqual(tags.tag(0, .narrative, .selection), "dolls that move when nobody looks")
        XCTAssertEqual(tags.tag(0, .appeal, .selection), "dolls that move when nobody looks", "another facet's held-out wording")
        XCTAssertNil(tags.tag(1, .appeal, .selection))
        XCTAssertEqual(tags.trainingWordings(1, .narrative), [])
        XCTAssertFalse(tags.trainingTexts(itemCount: 2).contains("dolls that move when nobody looks"), "held-out wordings are never trained on")

        XCTAssertThrowsError(try TagPhrasings(text: "item_id\tfacet\tuse\tphrasing\nA (1999)\tplot\ttrain\tx\n", source: "p.tsv",
                                              itemTokens: tokens, tags: tags)) { XCTAssertEqual("\($0)", "p.tsv:2: unknown facet \"plot\"") }
        XCTAssertThrowsError(try TagPhrasings(text: "item_id\tfacet\tuse\tphrasing\nA (1999)\tnarrative\ttest\tx\n", source: "p.tsv",
                                              itemTokens: tokens, tags: tags)) { XCTAssertEqual("\($0)", "p.tsv:2: use must be train or select, got \"test\"") }
        XCTAssertThrowsError(try TagPhrasings(text: "item_id\tfacet\tuse\tphrasing\nA (1999)\tnarrative\ttrain\n", source: "p.tsv",
                                              itemTokens: tokens, tags: tags)) {
            XCTAssertEqual("\($0)", "p.tsv:2: expected 4 non-empty fields item_id, facet, use, phrasing")
        }
    }

    /// The shipped wordings all pass the leakage guard against the shipped tags, and every tagged
    /// facet's wordings belong to a tagged item.
    func testShippedPhrasingsPassTheGuard() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Data/ml-1m-tags.tsv"), encoding: .utf8)
        let ids = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().map { String($0.split(separator: "\t")[0]) }
        let tags = try ItemTags(text: text, source: "ml-1m-tags.tsv", itemTokens: ids)
        let phrasings = try TagPhrasings(contentsOf: root.appendingPathComponent("Data/ml-1m-tag-phrasings.tsv").path, itemTokens: ids, tags: tags)
        XCTAssertEqual(phrasings.dropped, 0)
        XCTAssertEqual(phrasings.unknownRows, 0)
        XCTAssertGreaterThan(phrasings.all(.train).count, 1_000)
        XCTAssertGreaterThan(phrasings.all(.select).count, 1_000)
    }
}

final class ExtraPhrasingsTests: XCTestCase {
    /// The leakage guard drops every router phrasing whose content words all occur in one
    /// evaluation template, and what remains is never a template of either pool.
    func testGuardKeepsEvaluationWordingOut() throws {
        let templates = try PromptTemplates.bundled()
        for polarity in TaskPolarity.allCases {
            let extra = ExtraPhrasings.templates(polarity, guardedBy: templates)
            XCTAssertGreaterThan(extra.count, 20, "\(polarity): \(extra)")
            let evaluation = TaskPolarity.allCases.flatMap { templates.templates($0, .evaluation) }
            for candidate in extra {
                XCTAssertEqual(candidate.components(separatedBy: "{genre}").count, 2, candidate)
                let words = ExtraPhrasings.contentWords(candidate)
                XCTAssertFalse(words.isEmpty, candidate)
                for e in evaluation { XCTAssertFalse(words.isSubset(of: ExtraPhrasings.contentWords(e)), "\(candidate) ⊂ \(e)") }
                XCTAssertFalse(templates.templates(polarity, .training).map { $0.lowercased() }.contains(candidate.lowercased()))
            }
        }
        XCTAssertFalse(ExtraPhrasings.templates(.positive, guardedBy: templates).contains("craving {genre}"))
        XCTAssertFalse(ExtraPhrasings.templates(.negative, guardedBy: templates).contains("pass on {genre}"))
    }
}
