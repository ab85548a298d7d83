// Compound prompts in training (issue 15): which tasks are trained again behind the other part of
// a "g, but no h" prompt, with what part and what targets. No encoder: prompts are only rendered.
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

    /// Before a POS task: a refusal of a genre the window's first item has and the target lacks
    /// (the target complies with it). Before a NEG task: a request of a genre some target has and
    /// the first item lacks, and the targets narrow to those with it. Each is a training template
    /// of its polarity that the prompt bank already holds.
    func testLeadsFollowTheCompoundRuleAndStayInTheTrainingPool() throws {
        let prompts = try stagePrompts(compoundShare: 1)
        let categories = Self.split.dataset.itemCategories, names = Self.split.dataset.categoryNames
        let known = Set(prompts.allTrainingTexts())
        var led: [TaskPolarity: Int] = [:]
        for task in try trainingTasks {
            let targets = task.trainingTargets(epoch: 1, seed: 2020)
            let lead = prompts.compoundLead(for: task, targets: targets, epoch: 1, seed: 2020)
            let firstGenres = categories[Int(task.windowItems[0])]
            let candidates: [Int32] = task.polarity == .positive
                ? firstGenres.filter { !categories[Int(targets[0])].contains($0) }
                : Set(targets.flatMap { categories[Int($0)] }).subtracting(firstGenres).sorted()
            guard !candidates.isEmpty else {
                XCTAssertNil(lead, "no genre for the other part: not compound")
                continue
            }
            let part = try XCTUnwrap(lead, "share 1: every task that can be compound is")
            let leadPolarity: TaskPolarity = task.polarity == .positive ? .negative : .positive
            XCTAssertEqual(part.polarity, leadPolarity)
            let templates = prompts.templates.templates(leadPolarity, .training)
            let genre = try XCTUnwrap(candidates.first { genre in
                templates.contains { prompts.templates.render($0, genreName: names[Int(genre)]) == part.text }
            }, "\(part.text) should name one of \(candidates.map { names[Int($0)] })")
            XCTAssertTrue(known.contains(part.text))
            if task.polarity == .positive {
                XCTAssertEqual(part.targets, targets)
            } else {
                XCTAssertEqual(part.targets, targets.filter { categories[Int($0)].contains(genre) })
                XCTAssertFalse(part.targets.isEmpty)
            }
            led[task.polarity, default: 0] += 1
        }
        XCTAssertGreaterThan(led[.positive] ?? 0, 20, "the fixture must give POS tasks behind a refusal")
        XCTAssertGreaterThan(led[.negative] ?? 0, 20, "the fixture must give NEG tasks behind a request")
    }

    /// The share is the probability a task is drawn; 0 gives none, as the paper trains; the draw
    /// changes with the epoch.
    func testTheShareSetsHowManyAreDrawn() throws {
        let none = try stagePrompts(compoundShare: 0), half = try stagePrompts(compoundShare: 0.5), all = try stagePrompts(compoundShare: 1)
        var eligible = 0, drawn = 0, changed = 0
        for task in try trainingTasks {
            let targets = task.trainingTargets(epoch: 1, seed: 2020)
            XCTAssertNil(none.compoundLead(for: task, targets: targets, epoch: 1, seed: 2020))
            guard all.compoundLead(for: task, targets: targets, epoch: 1, seed: 2020) != nil else { continue }
            eligible += 1
            let first = half.compoundLead(for: task, targets: targets, epoch: 1, seed: 2020)
            if first != nil { drawn += 1 }
            if (first == nil) != (half.compoundLead(for: task, targets: targets, epoch: 2, seed: 2020) == nil) { changed += 1 }
        }
        XCTAssertGreaterThan(eligible, 40)
        let share = Double(drawn) / Double(eligible)
        XCTAssertTrue((0.3...0.7).contains(share), "\(drawn) of \(eligible) drawn at share 0.5")
        XCTAssertGreaterThan(changed, 0, "another epoch draws other tasks")
    }
}
