// Compound prompts in training (issue 15): which tasks are trained again behind the steps of a
// "g, but no h" prompt that serving applies before them, with what parts and what targets, and
// how the trainer moves a task's user vector through those steps.
import Foundation
import SteerData
import SteerDPR
import SteerPlugins
import SteerTasks
import SteerText
import SteerTraining
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

    /// Beside a POS task: a refusal of a genre the window's first item has and the target lacks
    /// (the target complies with it). Beside a NEG task: a request of a genre some target has and
    /// the first item lacks, and the targets narrow to those with it. The other part is a training
    /// template of its polarity that the prompt bank already holds. Serving applies the refusal,
    /// the request, then the refusal again, so a POS task is trained behind the refusal and a NEG
    /// task behind its own refusal and the request.
    func testLeadsFollowTheCompoundRuleAndTheServingOrder() throws {
        let prompts = try stagePrompts(compoundShare: 1)
        let categories = Self.split.dataset.itemCategories, names = Self.split.dataset.categoryNames
        let known = Set(prompts.allTrainingTexts())
        var led: [TaskPolarity: Int] = [:]
        for task in try trainingTasks {
            let targets = task.trainingTargets(epoch: 1, seed: 2020)
            let text = prompts.text(for: task, targets: targets, stage: .genre, epoch: 1, seed: 2020)
            let lead = prompts.compoundLead(for: task, text: text, targets: targets, epoch: 1, seed: 2020)
            let firstGenres = categories[Int(task.windowItems[0])]
            let candidates: [Int32] = task.polarity == .positive
                ? firstGenres.filter { !categories[Int(targets[0])].contains($0) }
                : Set(targets.flatMap { categories[Int($0)] }).subtracting(firstGenres).sorted()
            guard !candidates.isEmpty else {
                XCTAssertNil(lead, "no genre for the other part: not compound")
                continue
            }
            let part = try XCTUnwrap(lead, "share 1: every task that can be compound is")
            let otherPolarity: TaskPolarity = task.polarity == .positive ? .negative : .positive
            let other = try XCTUnwrap(part.steps.last)
            XCTAssertEqual(part.steps.map(\.polarity), task.polarity == .positive ? [.negative] : [.negative, .positive])
            XCTAssertEqual(other.polarity, otherPolarity)
            if task.polarity == .negative { XCTAssertEqual(part.steps.first?.text, text, "its own refusal, applied before the request") }
            let templates = prompts.templates.templates(otherPolarity, .training)
            let genre = try XCTUnwrap(candidates.first { genre in
                templates.contains { prompts.templates.render($0, genreName: names[Int(genre)]) == other.text }
            }, "\(other.text) should name one of \(candidates.map { names[Int($0)] })")
            XCTAssertTrue(known.contains(other.text))
            if task.polarity == .positive {
                XCTAssertEqual(part.targets, targets)
            } else {
                XCTAssertEqual(part.targets, targets.filter { categories[Int($0)].contains(genre) })
                XCTAssertFalse(part.targets.isEmpty)
            }
            led[task.polarity, default: 0] += 1
        }
        XCTAssertGreaterThan(led[.positive] ?? 0, 20, "the fixture must give POS tasks behind a refusal")
        XCTAssertGreaterThan(led[.negative] ?? 0, 20, "the fixture must give NEG tasks behind a refusal and a request")
    }

    /// The share is the probability a task is drawn; 0 gives none, as the paper trains; the draw
    /// changes with the epoch.
    func testTheShareSetsHowManyAreDrawn() throws {
        let none = try stagePrompts(compoundShare: 0), half = try stagePrompts(compoundShare: 0.5), all = try stagePrompts(compoundShare: 1)
        var eligible = 0, drawn = 0, changed = 0
        for task in try trainingTasks {
            let targets = task.trainingTargets(epoch: 1, seed: 2020)
            let text = none.text(for: task, targets: targets, stage: .genre, epoch: 1, seed: 2020)
            XCTAssertNil(none.compoundLead(for: task, text: text, targets: targets, epoch: 1, seed: 2020))
            guard all.compoundLead(for: task, text: text, targets: targets, epoch: 1, seed: 2020) != nil else { continue }
            eligible += 1
            let first = half.compoundLead(for: task, text: text, targets: targets, epoch: 1, seed: 2020)
            if first != nil { drawn += 1 }
            if (first == nil) != (half.compoundLead(for: task, text: text, targets: targets, epoch: 2, seed: 2020) == nil) { changed += 1 }
        }
        XCTAssertGreaterThan(eligible, 40)
        let share = Double(drawn) / Double(eligible)
        XCTAssertTrue((0.3...0.7).contains(share), "\(drawn) of \(eligible) drawn at share 0.5")
        XCTAssertGreaterThan(changed, 0, "another epoch draws other tasks")
    }

    /// The trainer moves a row behind a lead through every lead step in turn, each through its
    /// polarity's tower without dropout, exactly as steering queries apply parts; a row without a
    /// lead keeps its vector, and the head is back in training mode afterwards.
    func testARowBehindALeadTakesEveryLeadStepInTurn() throws {
        let split = Self.split
        let host = PluginHost(directory: SteeringTrainingTests.pluginDirectory)
        let config = #"{"n_items": \#(split.dataset.itemCount), "max_len": 20, "hidden": 16, "layers": 1, "heads": 2, "inner": 32, "dropout": 0.1, "attention_dropout": 0.1}"#
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: SteeringTrainingTests.miniLMDirectory))
        let bank = PromptBank(encoder: encoder)
        let head = try DPRHead(config: DPRConfig(dim: 16, encoderDim: encoder.dimension), seed: 3)
        let queries = SteeringQueries(head: head, bank: bank, router: nil)
        let prompts = try stagePrompts(compoundShare: 1)
        let trainer = try DPRTrainer(model: TrainableBackbone(host.load(name: "SASRec", config: config, weights: [])), head: head,
                                     split: split, stage: .genre, prompts: prompts, bank: bank, validation: nil, queries: queries,
                                     options: DPRTrainingOptions())
        var leads: [CompoundLead] = []
        for polarity in [TaskPolarity.positive, .negative] {
            leads.append(try XCTUnwrap(trainingTasks.lazy.filter { $0.polarity == polarity }.compactMap { task -> CompoundLead? in
                let targets = task.trainingTargets(epoch: 1, seed: 2020)
                let text = prompts.text(for: task, targets: targets, stage: .genre, epoch: 1, seed: 2020)
                return prompts.compoundLead(for: task, text: text, targets: targets, epoch: 1, seed: 2020)
            }.first))
        }
        XCTAssertEqual(leads.map(\.steps.count), [1, 2])
        try bank.add(leads.flatMap { $0.steps.map(\.text) })
        let rows: [DPRTrainer.TaskRow] = [
            .init(task: 0, row: 0, lead: (leads[0].steps.map { bank.id($0.text) }, leads[0])),
            .init(task: 1, row: 1, lead: nil),
            .init(task: 2, row: 2, lead: (leads[1].steps.map { bank.id($0.text) }, leads[1])),
        ]
        let d = 16
        let users = (0..<(3 * d)).map { Float(sin(Double($0) * 0.37)) * 0.5 }
        var moved = users
        head.isTraining = true
        trainer.moveBehindLeads(&moved, taskRows: rows)
        XCTAssertTrue(head.isTraining, "the main forward that follows trains with dropout")
        head.isTraining = false
        for (r, lead) in [(0, leads[0]), (2, leads[1])] {
            var expected = Array(users[(r * d)..<((r + 1) * d)])
            for step in lead.steps {
                let before = expected
                expected = try queries.fuse(rows: expected, texts: [step.text], polarities: [step.polarity == .positive ? .positive : .negative])
                XCTAssertGreaterThan(zip(before, expected).map { abs($0 - $1) }.max()!, 1e-4, "each step must move the vector")
            }
            for c in 0..<d { XCTAssertEqual(moved[r * d + c], expected[c], accuracy: 1e-5, "row \(r), channel \(c)") }
        }
        XCTAssertEqual(Array(moved[d..<(2 * d)]), Array(users[d..<(2 * d)]), "a row without a lead is copied, never computed on")
    }
}
