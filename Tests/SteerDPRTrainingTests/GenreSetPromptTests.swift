// The genre-set POS protocol in stages 2–3 and in the evaluation harness, and its record in the
// checkpoint: no encoder, no download (the prompts are only rendered, never embedded).
import Foundation
import SteerCheckpoint
import SteerData
import SteerDPR
import SteerTasks
import SteerTraining
@testable import SteerDPRTraining
import XCTest

final class GenreSetPromptTests: XCTestCase {
    static let split = try! DatasetSplit(GenreSetFixture.dataset(), scheme: .paper)

    func stagePrompts(_ positivePrompts: PositivePromptProtocol, extraShare: Double = 0) throws -> StagePrompts {
        let templates = try PromptTemplates.bundled()
        let extra = extraShare > 0
            ? Dictionary(uniqueKeysWithValues: TaskPolarity.allCases.map { ($0, ExtraPhrasings.templates($0, guardedBy: templates)) }) : [:]
        return StagePrompts(templates: templates, categoryNames: Self.split.dataset.categoryNames, tags: nil, extra: extra,
                            extraShare: extraShare, positivePrompts: positivePrompts, itemCategories: Self.split.dataset.itemCategories)
    }

    var trainingTasks: [SteeringTask] {
        get throws { try TrainingTaskSampler(split: Self.split, configuration: .init(tasksPerUser: 4, seed: 2020)).tasks(epoch: 1) }
    }

    /// The prompt names the target trained on in this epoch: hand it another target from the
    /// compliance list and the prompt names that one's genres, with the same template.
    func testTrainingPromptFollowsTheRedrawnTarget() throws {
        let prompts = try stagePrompts(.genreSet)
        let dataset = Self.split.dataset
        let names = prompts.templates.genreDisplayNames
        var followed = 0
        for task in try trainingTasks where task.polarity == .positive {
            for target in task.compliance {
                let text = prompts.text(for: task, targets: [target], stage: .genre, epoch: 1, seed: 2020)
                let genres = dataset.categoryNames(ofItem: Int(target))
                XCTAssertTrue(text.lowercased().contains(names.phrase(genres)), "\(text) should name \(genres)")
                let single = try stagePrompts(.singleGenre).text(for: task, targets: [target], stage: .genre, epoch: 1, seed: 2020)
                // Same template: removing the slot's text leaves the same words.
                XCTAssertEqual(text.lowercased().replacingOccurrences(of: names.phrase(genres), with: "{}"),
                               single.lowercased().replacingOccurrences(of: names.displayName(dataset.categoryNames[Int(task.genre)]), with: "{}"))
            }
            let genreSets = Set(task.compliance.map { dataset.itemCategories[Int($0)] })
            if genreSets.count > 1 { followed += 1 }
        }
        XCTAssertGreaterThan(followed, 0, "the fixture must give tasks whose compliant items differ in genres")
    }

    /// NEG prompts, and POS prompts of a single-genre target, read exactly as under single-genre.
    func testNegativeAndSingleGenreTargetsAreUnchanged() throws {
        for extraShare in [0, 0.5] {
            let set = try stagePrompts(.genreSet, extraShare: extraShare), single = try stagePrompts(.singleGenre, extraShare: extraShare)
            for epoch in 1...2 {
                for task in try trainingTasks {
                    let targets = task.trainingTargets(epoch: epoch, seed: 2020)
                    let a = set.text(for: task, targets: targets, stage: .genre, epoch: epoch, seed: 2020)
                    let b = single.text(for: task, targets: targets, stage: .genre, epoch: epoch, seed: 2020)
                    if task.polarity == .negative || Self.split.dataset.itemCategories[Int(targets[0])].count == 1 {
                        XCTAssertEqual(a, b)
                    } else {
                        XCTAssertNotEqual(a, b)
                    }
                }
            }
        }
    }

    /// Every text the genre stage gives under genre-set is among `allTrainingTexts()` (so the bank
    /// encodes them up front), and none is an evaluation phrasing of any genre set.
    func testTrainingTextsStayInTheTrainingPool() throws {
        let prompts = try stagePrompts(.genreSet, extraShare: 0.5)
        let known = Set(prompts.allTrainingTexts())
        let dataset = Self.split.dataset
        // Every genre list a prompt can name: each item's genre set, and each genre alone (NEG).
        let sets = Set(dataset.itemCategories.filter { !$0.isEmpty } + (0..<dataset.categoryCount).map { [Int32($0)] })
            .map { $0.map { dataset.categoryNames[Int($0)] } }
        var evaluation = Set<String>()
        for polarity in TaskPolarity.allCases {
            for template in prompts.templates.templates(polarity, .evaluation) {
                for names in sets { evaluation.insert(prompts.templates.render(template, genreNames: names)) }
            }
        }
        XCTAssertTrue(known.isDisjoint(with: evaluation))
        for epoch in 1...3 {
            let tasks = try TrainingTaskSampler(split: Self.split, configuration: .init(tasksPerUser: 4, seed: 2020)).tasks(epoch: epoch)
            for task in tasks {
                let text = prompts.text(for: task, targets: task.trainingTargets(epoch: epoch, seed: 2020), stage: .genre, epoch: epoch, seed: 2020)
                XCTAssertTrue(known.contains(text), "\(text) is not among the training texts")
                XCTAssertFalse(evaluation.contains(text), "\(text) is an evaluation phrasing")
            }
        }
    }

    /// The harness renders test POS prompts from the evaluation pool naming the target's genres;
    /// validation (which selects models) from the training pool.
    func testEvaluationHarnessUsesTheProtocol() throws {
        let templates = try PromptTemplates.bundled()
        let dataset = Self.split.dataset
        for part in [EvaluationPart.test, .validation] {
            let set = try SteeringEvaluation(split: Self.split, templates: templates, windows: [3, 5], part: part, positivePrompts: .genreSet)
            let single = try SteeringEvaluation(split: Self.split, templates: templates, windows: [3, 5], part: part)
            XCTAssertEqual(single.positivePrompts, .singleGenre)
            let tasks = set.sets.flatMap { $0.positive + $0.negative }
            XCTAssertFalse(tasks.filter { $0.polarity == .positive }.isEmpty)
            for (task, text) in zip(tasks, set.prompts(for: tasks)) {
                let names = task.polarity == .positive ? dataset.categoryNames(ofItem: Int(task.targets[0]))
                                                       : [dataset.categoryNames[Int(task.genre)]]
                let allowed = templates.templates(task.polarity, TaskBuilder.pool(for: part)).map { templates.render($0, genreNames: names) }
                XCTAssertTrue(allowed.contains(text), "\(text) (\(part))")
            }
            XCTAssertEqual(single.prompts(for: tasks), tasks.map { templates.prompt(for: $0, in: dataset, seed: TaskBuilder.defaultSeed) })
        }
    }

    /// The protocol is written into the checkpoint's dpr_training section and read back; a
    /// checkpoint that records none (older ones) reads as single-genre; an unknown name is refused.
    func testProtocolRoundTripsThroughTheCheckpoint() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steer-genre-set-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func checkpoint(_ json: String?) throws -> BackboneCheckpoint {
            var file = BackboneCheckpoint(plugin: "SASRec", weights: [1, 2, 3], itemTokens: ["m0", "m1"], itemTitles: ["a", "b"],
                                          categoryNames: ["Action"], itemCategories: [[0], [0]], trainingJSON: "{}")
            if let json {
                file.dprHead = [9, 9]
                file.dprTrainingJSON = json
            }
            let path = directory.appendingPathComponent("\(UUID().uuidString).snap").path
            try file.write(to: path)
            return try BackboneCheckpoint.load(contentsOf: path)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for wanted in PositivePromptProtocol.allCases {
            let summary = DPRSummary(stage1: "stage1.snap", encoder: "all-MiniLM-L6-v2", stages: ["genre"], head: DPRConfig(dim: 8, encoderDim: 16),
                                     options: ["genre": DPRTrainingOptions()], records: [], wallSeconds: 1, positivePrompts: wanted)
            let loaded = try checkpoint(String(decoding: try encoder.encode(summary), as: UTF8.self))
            XCTAssertEqual(try DPRSummary.positivePrompts(of: loaded), wanted)
            XCTAssertEqual(try JSONDecoder().decode(DPRSummary.self, from: Data(loaded.dprTrainingJSON!.utf8)).positivePrompts, wanted)
        }
        // Written before the option: no key. A plain stage-1 checkpoint: no section.
        XCTAssertEqual(try DPRSummary.positivePrompts(of: checkpoint(#"{"stage1": "s.snap", "stages": ["genre"]}"#)), .singleGenre)
        XCTAssertEqual(try DPRSummary.positivePrompts(of: checkpoint(nil)), .singleGenre)
        XCTAssertThrowsError(try DPRSummary.positivePrompts(of: checkpoint(#"{"positivePrompts": "tag-set"}"#)))
    }
}
