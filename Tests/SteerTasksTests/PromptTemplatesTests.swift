// The template file: 20 per pool, one slot each, disjoint and lexically different pools.

import Foundation
import SteerData
@testable import SteerTasks
import XCTest

final class PromptTemplatesTests: XCTestCase {
    func testBundledPoolsHoldTwentyTemplatesWithOneSlot() throws {
        let templates = try PromptTemplates.bundled()
        for polarity in TaskPolarity.allCases {
            for pool in TemplatePool.allCases {
                let list = templates.templates(polarity, pool)
                XCTAssertEqual(list.count, 20, "\(polarity) \(pool)")
                XCTAssertEqual(Set(list).count, 20, "\(polarity) \(pool) has duplicates")
                for template in list {
                    XCTAssertEqual(template.components(separatedBy: "{genre}").count, 2, template)
                }
            }
        }
        XCTAssertFalse(templates.about.isEmpty)
    }

    /// Disjoint as strings, and no evaluation template shares a three-word sequence with a
    /// training template (of either polarity), so evaluation tests unseen wording.
    func testPoolsAreDisjointAndLexicallyDifferent() throws {
        let templates = try PromptTemplates.bundled()
        let training = TaskPolarity.allCases.flatMap { templates.templates($0, .training) }
        let evaluation = TaskPolarity.allCases.flatMap { templates.templates($0, .evaluation) }
        XCTAssertTrue(Set(training.map(PromptTemplates.normalized)).isDisjoint(with: evaluation.map(PromptTemplates.normalized)))
        let seen = Set(training.flatMap(Self.trigrams))
        for template in evaluation {
            XCTAssertTrue(Set(Self.trigrams(template)).isDisjoint(with: seen), "\(template) reuses training wording")
        }
    }

    func testDisplayNames() throws {
        let names = try PromptTemplates.bundled().genreDisplayNames
        XCTAssertEqual(names.displayName("Sci-Fi"), "science fiction")
        XCTAssertEqual(names.displayName("Children's"), "children's movies")
        XCTAssertEqual(names.displayName("Film-Noir"), "film noir")
        XCTAssertEqual(names.displayName("Space-Opera"), "space opera", "unlisted genres fall back to lowercase words")
    }

    /// A task's prompt comes from its own pool: training tasks never render evaluation
    /// templates, and rendering is seeded.
    func testPromptsComeFromTheTasksPool() throws {
        let templates = try PromptTemplates.bundled()
        let split = SyntheticData.split
        let evaluationTasks = try TaskBuilder(split: split).taskSets().flatMap { $0.positive + $0.negative }
        let trainingTasks = try TrainingTaskSampler(split: split).tasks(epoch: 0)
        XCTAssertFalse(trainingTasks.isEmpty)
        for (tasks, pool) in [(evaluationTasks, TemplatePool.evaluation), (trainingTasks, .training)] {
            for task in tasks {
                XCTAssertEqual(task.pool, pool)
                let name = split.dataset.categoryNames[Int(task.genre)]
                for seed: UInt64 in 0..<5 {
                    let prompt = templates.prompt(for: task, in: split.dataset, seed: seed)
                    let allowed = templates.templates(task.polarity, pool).map { templates.render($0, genreName: name) }
                    XCTAssertTrue(allowed.contains(prompt), "\(prompt) not from the \(pool) pool")
                    XCTAssertEqual(prompt, templates.prompt(for: task, genreName: name, seed: seed))
                }
            }
        }
        // Seeds spread over the pool.
        let task = evaluationTasks[0]
        let prompts = Set((0..<200).map { templates.prompt(for: task, in: split.dataset, seed: UInt64($0)) })
        XCTAssertGreaterThan(prompts.count, 15)
    }

    func testRenderingCapitalizesALeadingSlot() throws {
        let templates = try PromptTemplates.bundled()
        XCTAssertEqual(templates.render("{genre} is off the table.", genreName: "Sci-Fi"), "Science fiction is off the table.")
        XCTAssertEqual(templates.render("Avoid {genre}.", genreName: "Film-Noir"), "Avoid film noir.")
    }

    func testInvalidFilesAreRefused() {
        func file(_ posTrain: [String], _ posEval: [String]) -> Data {
            let object: [String: Any] = [
                "about": ["test"], "version": 1, "genreDisplayNames": [String: String](),
                "positive": ["training": posTrain, "evaluation": posEval],
                "negative": ["training": ["Avoid {genre}."], "evaluation": ["Spare me {genre}."]],
            ]
            return try! JSONSerialization.data(withJSONObject: object)
        }
        XCTAssertNoThrow(try PromptTemplates(json: file(["Show me {genre}."], ["Craving {genre}."])))
        for bad in [file(["Show me {genre} {genre}."], ["Craving {genre}."]), file(["Show me."], ["Craving {genre}."]),
                    file(["Show me {genre}."], ["show me {genre}"]), file([], ["Craving {genre}."]),
                    Data("{".utf8)] {
            XCTAssertThrowsError(try PromptTemplates(json: bad)) { XCTAssertEqual(($0 as? TasksError)?.code, .invalidTemplates) }
        }
    }

    static func trigrams(_ text: String) -> [String] {
        let words = text.lowercased().replacingOccurrences(of: "{genre}", with: " GENRE ")
            .split { !($0.isLetter || $0 == "'") }.map(String.init)
        return words.count < 3 ? [] : (0...(words.count - 3)).map { words[$0..<($0 + 3)].joined(separator: " ") }
    }
}
