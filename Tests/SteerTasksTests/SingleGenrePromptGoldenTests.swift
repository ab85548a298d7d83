// Single-genre prompts are frozen: the texts below were captured from the code before the POS
// prompt protocol existed, so shipped checkpoints' reports keep reproducing bit for bit.

import SteerData
@testable import SteerTasks
import XCTest

final class SingleGenrePromptGoldenTests: XCTestCase {
    typealias D = SyntheticData

    /// Every evaluation task of the synthetic split (N = 3, 5, 10; POS then NEG per window).
    static let evaluationPrompts: [String] = [
        "Got any comedy worth my time?", "Any chance of comedy?", "Pick out comedy I might enjoy.",
        "Craving comedy at the moment.", "Not feeling action at all.", "Cut comedy from whatever you suggest.",
        "Count me out on action.", "Eager for comedy today.", "Any chance of drama?", "Roll out the action!",
        "Hoping to catch comedy this weekend.", "Hoping to catch comedy this weekend.", "Enough action for a while.",
        "I can't stand action these days.", "Let's sidestep comedy for once.", "Count me out on drama.",
        "Drop action off the lineup.", "Hoping to catch comedy this weekend.", "Which drama would you propose?",
        "Got any action worth my time?", "Could you line up comedy?", "Got any comedy worth my time?",
        "I can't stand action these days.", "Action is off the table.", "Enough comedy for a while.", "Give drama a rest.",
        "Let's sidestep action for once.",
    ]
    /// Training tasks of epochs 1 and 2 (seed 2020), each prompted as stage 2 prompts it:
    /// `prompt(for:seed: seed + epoch)`.
    static let trainingPrompts: [String] = [
        "Put on some drama for me.", "I'm tired of horror.", "Give me action tonight.", "Avoid drama.",
        "Give me comedy tonight.", "Please skip action.", "Don't show me action.", "Something from horror would be nice.",
        "Nothing with drama tonight.", "Surprise me with horror.", "Hide drama.", "Show me horror.", "No more drama.",
        "Can you suggest horror?", "Remove drama from the list.", "Something from horror would be nice.", "Please skip drama.",
        "Can you suggest horror?", "Keep drama out of my recommendations.", "Surprise me with horror.",
        "Don't recommend drama.", "Recommend me some action.", "Exclude drama.", "I'm not in the mood for action.",
        "Surprise me with horror.", "Exclude drama.", "I want horror this evening.", "Leave out drama.",
        "I want horror this evening.", "Anything but drama.", "Please recommend horror.", "Avoid drama.",
        "I want horror this evening.", "Don't recommend drama.",
    ]

    func testEvaluationPromptsAreUnchanged() throws {
        let templates = try PromptTemplates.bundled()
        let tasks = try TaskBuilder(split: D.split).taskSets().flatMap { $0.positive + $0.negative }
        let prompts = tasks.map { templates.prompt(for: $0, in: D.split.dataset, seed: TaskBuilder.defaultSeed) }
        XCTAssertEqual(prompts, Self.evaluationPrompts, "\(prompts)")
    }

    func testTrainingPromptsAreUnchanged() throws {
        let templates = try PromptTemplates.bundled()
        let sampler = try TrainingTaskSampler(split: D.split, configuration: .init(tasksPerUser: 4, seed: 2020))
        var prompts: [String] = []
        for epoch in 1...2 {
            for task in sampler.tasks(epoch: epoch) {
                prompts.append(templates.prompt(for: task, in: D.split.dataset, seed: 2020 &+ UInt64(epoch)))
            }
        }
        XCTAssertEqual(prompts, Self.trainingPrompts, "\(prompts)")
    }
}
