// The POS prompt protocol: how a genre set reads, that a genre-set prompt names exactly the
// target's genres with the template single-genre would draw, that the pools stay disjoint, and
// that a report states its protocol.

import Foundation
import SteerData
import SteerEvaluation
@testable import SteerTasks
import XCTest

final class PositivePromptProtocolTests: XCTestCase {
    typealias D = SyntheticData

    func testGenreListsReadNaturally() throws {
        let names = try PromptTemplates.bundled().genreDisplayNames
        XCTAssertEqual(names.phrase(["Sci-Fi"]), "science fiction", "one genre reads as today")
        XCTAssertEqual(names.phrase(["Comedy", "Romance"]), "comedy and romance")
        XCTAssertEqual(names.phrase(["Action", "Adventure", "Sci-Fi"]), "action, adventure and science fiction")
        XCTAssertEqual(names.phrase(["Action", "Children's", "Thriller", "War"]), "action, children's movies, thrillers and war movies")
        let templates = try PromptTemplates.bundled()
        XCTAssertEqual(templates.render("I'm in the mood for {genre}.", genreNames: ["Action", "Adventure", "Sci-Fi"]),
                       "I'm in the mood for action, adventure and science fiction.")
        XCTAssertEqual(templates.render("{genre}, please.", genreNames: ["Comedy", "Romance"]), "Comedy and romance, please.")
        XCTAssertEqual(templates.render("{genre}, please.", genreNames: ["Comedy"]), templates.render("{genre}, please.", genreName: "Comedy"))
    }

    func testProtocolNamesAndDefault() {
        XCTAssertEqual(PositivePromptProtocol.default, .singleGenre)
        XCTAssertEqual(PositivePromptProtocol.allCases.map(\.rawValue), ["single-genre", "genre-set"])
    }

    /// The template a single-genre prompt of `task` was rendered from (exactly one matches).
    func template(of prompt: String, _ task: SteeringTask, _ templates: PromptTemplates, pool: TemplatePool) -> [String] {
        let name = D.split.dataset.categoryNames[Int(task.genre)]
        return templates.templates(task.polarity, pool).filter { templates.render($0, genreName: name) == prompt }
    }

    /// Under genre-set a POS prompt is the single-genre prompt's template with the target's whole
    /// genre list in the slot (so it names exactly the target's genres, in the data's order); NEG
    /// prompts and the default are single-genre's.
    func testGenreSetPromptsNameExactlyTheTargetsGenres() throws {
        let templates = try PromptTemplates.bundled()
        let dataset = D.split.dataset
        // Several task seeds, so targets with one, two and three genres all occur.
        let tasks = try (0..<8).flatMap { seed in
            try TaskBuilder(split: D.split, seed: UInt64(seed)).taskSets().flatMap { $0.positive + $0.negative }
        }
        var multiGenre = 0
        for task in tasks {
            let single = templates.prompt(for: task, in: dataset, seed: 7, positivePrompts: .singleGenre)
            let set = templates.prompt(for: task, in: dataset, seed: 7, positivePrompts: .genreSet)
            XCTAssertEqual(templates.prompt(for: task, in: dataset, seed: 7), single, "single-genre is the default")
            guard task.polarity == .positive else {
                XCTAssertEqual(set, single, "NEG prompts do not change")
                continue
            }
            let target = task.targets[0]
            let names = dataset.categoryNames(ofItem: Int(target))
            XCTAssertTrue(names.contains(dataset.categoryNames[Int(task.genre)]))
            let drawn = template(of: single, task, templates, pool: .evaluation)
            XCTAssertEqual(drawn.count, 1, single)
            XCTAssertEqual(set, templates.render(drawn[0], genreNames: names))
            // Every genre of the target is named, and no other genre of the catalogue.
            for (g, name) in dataset.categoryNames.enumerated() {
                let named = set.lowercased().contains(templates.genreDisplayNames.displayName(name))
                XCTAssertEqual(named, dataset.itemCategories[Int(target)].contains(Int32(g)), "\(set): \(name)")
            }
            if names.count > 1 { multiGenre += 1 }
        }
        XCTAssertGreaterThan(multiGenre, 0, "the fixture must hold POS targets with several genres")
    }

    /// A POS task whose target is i9 (Comedy, Drama, Horror), prompted for Drama: the genre-set
    /// prompt names all three, with the template the single-genre prompt drew.
    func testAThreeGenreTargetIsNamedInFull() throws {
        let templates = try PromptTemplates.bundled()
        let task = SteeringTask(
            user: D.user("uD"), polarity: .positive, window: 3, genre: 2, history: D.split.train(D.user("uD")),
            windowItems: D.items(["i3", "i9", "i7"]), targets: D.items(["i9"]), compliance: D.items(["i3", "i9", "i7"]), pool: .evaluation)
        let single = templates.prompt(for: task, in: D.split.dataset, seed: 11, positivePrompts: .singleGenre)
        let drawn = template(of: single, task, templates, pool: .evaluation)
        XCTAssertEqual(drawn.count, 1, single)
        var expected = drawn[0].replacingOccurrences(of: "{genre}", with: "comedy, drama and horror")
        expected = expected.prefix(1).uppercased() + expected.dropFirst()
        XCTAssertEqual(templates.prompt(for: task, in: D.split.dataset, seed: 11, positivePrompts: .genreSet), expected)
        XCTAssertEqual(single, templates.render(drawn[0], genreName: "Drama"))
    }

    /// Under genre-set too, a training task's prompt comes from the training pool only and an
    /// evaluation task's from the evaluation pool only: the slot changes, the pools do not.
    func testPoolsStayDisjointUnderGenreSet() throws {
        let templates = try PromptTemplates.bundled()
        let dataset = D.split.dataset
        let evaluationTasks = try TaskBuilder(split: D.split).taskSets().flatMap { $0.positive + $0.negative }
        let trainingTasks = (0..<4).flatMap { try! TrainingTaskSampler(split: D.split).tasks(epoch: $0) }
        XCTAssertFalse(trainingTasks.isEmpty)
        for (tasks, own, other) in [(evaluationTasks, TemplatePool.evaluation, TemplatePool.training), (trainingTasks, .training, .evaluation)] {
            for task in tasks {
                let genres = PositivePromptProtocol.genreSet.genres(for: task, target: task.targets[0], itemCategories: dataset.itemCategories)
                let names = genres.map { dataset.categoryNames[Int($0)] }
                let prompt = templates.prompt(for: task, genreNames: names, seed: 3)
                let rendered = { (pool: TemplatePool) in templates.templates(task.polarity, pool).map { templates.render($0, genreNames: names) } }
                XCTAssertTrue(rendered(own).contains(prompt), "\(prompt) not from the \(own) pool")
                XCTAssertFalse(rendered(other).contains(prompt), "\(prompt) is in the \(other) pool")
            }
        }
    }

    /// The protocol is stated under the title and kept in the JSON; a report written before the
    /// field existed still decodes (no protocol).
    func testReportStatesItsProtocol() throws {
        var report = ControllableReport(title: "t", positivePrompts: .genreSet)
        report.append(model: "DPR", task: .pos, window: 3, metrics: RankingMetrics(cutoffs: [10], ndcg: [0.5], recall: [0.5], users: 1))
        XCTAssertTrue(report.markdown().contains("POS prompt protocol: `genre-set`, POS prompts name every genre of the target"), report.markdown())
        let decoded = try ControllableReport.decode(report.json())
        XCTAssertEqual(decoded.positivePrompts, .genreSet)
        XCTAssertEqual(decoded, report)
        var old = try XCTUnwrap(JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        old.removeValue(forKey: "positivePrompts")
        XCTAssertNil(try ControllableReport.decode(JSONSerialization.data(withJSONObject: old)).positivePrompts)
        XCTAssertFalse(ControllableReport(title: "t").markdown().contains("POS prompt protocol"))
    }
}
