// Stage-2/3 prompt texts under the single-genre protocol are frozen: captured from the code
// before the POS prompt protocol existed (same prompts, same draws), with and without the
// router's extra phrasings.
import SteerData
import SteerTasks
@testable import SteerDPRTraining
import XCTest

final class StagePromptsGoldenTests: XCTestCase {
    static let plainPrompts: [String] = [
        "I want science fiction this evening.", "I'd rather not see war movies.", "Time for some action.",
        "I don't want to watch science fiction.", "I'm in the mood for drama.", "Nothing with children's movies tonight.",
        "Something from adventure would be nice.", "I'd rather not see westerns.", "Please recommend war movies.",
        "No science fiction, please.", "Find me good children's movies.", "Hide drama.", "Show me children's movies.",
        "Don't show me drama.", "Show me romance.", "Avoid action.", "Find me good drama.", "Avoid action.",
        "Please recommend children's movies.", "No science fiction, please.", "What thrillers should I watch?",
        "Don't recommend westerns.", "I'm in the mood for drama.", "Leave out comedy.",
    ]
    /// The extra phrasings are the router's generator templates: retraining the router on a new
    /// generator changes them, and these texts with them (they were re-captured when it was).
    static let extraPrompts: [String] = [
        "I want science fiction this evening.", "I'd rather not see war movies.", "Time for some action.",
        "I don't want to watch science fiction.", "I'm in the mood for drama.",
        "Nothing with children's movies tonight.", "Never without adventure", "Don't recommend westerns",
        "Please recommend war movies.", "No science fiction, please.", "I wouldn't mind children's movies",
        "I'd like to opt out of drama", "Show me children's movies.", "Don't show me drama.",
        "Can't get enough romance", "Hard pass on action", "Can't wait to watch drama", "Action doesn't appeal",
        "I'm not averse to children's movies", "Science fiction next time", "Can't say no to thrillers",
        "I'd rather avoid westerns", "Drama only", "I don't feel like comedy",
    ]

    func prompts(extraShare: Double) throws -> [String] {
        let split = try DatasetSplit(GenreSetFixture.dataset(), scheme: .paper)
        let templates = try PromptTemplates.bundled()
        let extra = extraShare > 0
            ? Dictionary(uniqueKeysWithValues: TaskPolarity.allCases.map { ($0, ExtraPhrasings.templates($0, guardedBy: templates)) }) : [:]
        let prompts = StagePrompts(templates: templates, categoryNames: split.dataset.categoryNames, tags: nil, extra: extra,
                                   extraShare: extraShare)
        let sampler = try TrainingTaskSampler(split: split, configuration: .init(tasksPerUser: 2, seed: 2020))
        var texts: [String] = []
        for epoch in 1...2 {
            for task in sampler.tasks(epoch: epoch).prefix(12) {
                let targets = task.trainingTargets(epoch: epoch, seed: 2020)
                texts.append(prompts.text(for: task, targets: targets, stage: .genre, epoch: epoch, seed: 2020))
            }
        }
        return texts
    }

    func testStageTwoPromptsAreUnchanged() throws {
        let texts = try prompts(extraShare: 0)
        XCTAssertEqual(texts, Self.plainPrompts, "\(texts)")
    }

    func testStageTwoPromptsWithExtraPhrasingsAreUnchanged() throws {
        let texts = try prompts(extraShare: 0.5)
        XCTAssertEqual(texts, Self.extraPrompts, "\(texts)")
    }
}
