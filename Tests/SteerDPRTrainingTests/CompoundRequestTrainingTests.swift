// Compound requests in training (issue 15): which POS tasks are trained again behind a refusal,
// and with what refusal. No encoder: the prompts are only rendered.
import SteerData
import SteerTasks
@testable import SteerDPRTraining
import XCTest

final class CompoundRequestTrainingTests: XCTestCase {
    static let split = try! DatasetSplit(GenreSetFixture.dataset(), scheme: .paper)

    func stagePrompts(compoundShare: Double) throws -> StagePrompts {
        StagePrompts(templates: try PromptTemplates.bundled(), categoryNames: Self.split.dataset.categoryNames, tags: nil,
                     itemCategories: Self.split.dataset.itemCategories, compoundShare: compoundShare)
    }

    var trainingTasks: [SteeringTask] {
        get throws { try TrainingTaskSampler(split: Self.split, configuration: .init(tasksPerUser: 4, seed: 2020)).tasks(epoch: 1) }
    }

    /// A refusal names a genre of the window's first item that the trained target lacks (so the
    /// target complies with it), in a NEG training template that the prompt bank already holds.
    func testRefusalsFollowTheCompoundRuleAndStayInTheTrainingPool() throws {
        let prompts = try stagePrompts(compoundShare: 1)
        let categories = Self.split.dataset.itemCategories, names = Self.split.dataset.categoryNames
        let known = Set(prompts.allTrainingTexts())
        let negatives = prompts.templates.templates(.negative, .training)
        var trained = 0
        for task in try trainingTasks {
            let targets = task.trainingTargets(epoch: 1, seed: 2020)
            let refusal = prompts.refusal(for: task, targets: targets, epoch: 1, seed: 2020)
            let lacking = categories[Int(task.windowItems[0])].filter { !categories[Int(targets[0])].contains($0) }
            guard task.polarity == .positive, task.windowItems[0] != targets[0], !lacking.isEmpty else {
                XCTAssertNil(refusal, "a NEG task, or a POS task with no genre to rule out, is not compound")
                continue
            }
            let text = try XCTUnwrap(refusal, "share 1: every POS task that can be compound is")
            let renderings = lacking.flatMap { genre in negatives.map { prompts.templates.render($0, genreName: names[Int(genre)]) } }
            XCTAssertTrue(renderings.contains(text), "\(text) should refuse one of \(lacking.map { names[Int($0)] })")
            XCTAssertTrue(known.contains(text))
            trained += 1
        }
        XCTAssertGreaterThan(trained, 20, "the fixture must give compound requests")
    }

    /// The share is the probability a task is drawn; 0 gives none, as the paper trains; the draw
    /// changes with the epoch.
    func testTheShareSetsHowManyAreDrawn() throws {
        let none = try stagePrompts(compoundShare: 0), half = try stagePrompts(compoundShare: 0.5), all = try stagePrompts(compoundShare: 1)
        var eligible = 0, drawn = 0, changed = 0
        for task in try trainingTasks {
            let targets = task.trainingTargets(epoch: 1, seed: 2020)
            XCTAssertNil(none.refusal(for: task, targets: targets, epoch: 1, seed: 2020))
            guard all.refusal(for: task, targets: targets, epoch: 1, seed: 2020) != nil else { continue }
            eligible += 1
            let first = half.refusal(for: task, targets: targets, epoch: 1, seed: 2020)
            if first != nil { drawn += 1 }
            if (first == nil) != (half.refusal(for: task, targets: targets, epoch: 2, seed: 2020) == nil) { changed += 1 }
        }
        XCTAssertGreaterThan(eligible, 40)
        let share = Double(drawn) / Double(eligible)
        XCTAssertTrue((0.3...0.7).contains(share), "\(drawn) of \(eligible) drawn at share 0.5")
        XCTAssertGreaterThan(changed, 0, "another epoch draws other tasks")
    }
}
