// `steer router train`: retrains the prompt router from the generated phrasings and writes the
// model file that SteerPrompt bundles (Sources/SteerPrompt/Resources/router.json).
import ArgumentParser
import Foundation
import SteerPrompt
import SteerText
import SteerTraining

struct RouterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "router", abstract: "The prompt router.",
                                                    subcommands: [RouterTrainCommand.self])
}

struct RouterTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Train the polarity router on generated phrasings (never on the held-out set) and write its model file.")
    @Option(help: "Model file to write.") var out = "Sources/SteerPrompt/Resources/router.json"
    @Option(help: "Encoder folder (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var model: String?
    @Option(help: "Generator seed.") var seed: UInt64 = TrainingPhrasings.defaultSeed
    @Option(help: "Generated phrasings.") var count = TrainingPhrasings.defaultCount

    func run() throws {
        let encoder = try MiniLMEncoder(directory: URL(fileURLWithPath: model ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2"))
        let started = Date()
        let examples = TrainingPhrasings.generate(seed: seed, count: count)
        let router = try PromptRouter.train(encoder: encoder, examples: examples, seed: seed,
                                            provenance: TrainingPhrasings.provenance(seed: seed, count: count))
        try router.write(to: URL(fileURLWithPath: out))
        print(String(format: "trained on %d phrasings in %.1f s: training accuracy %.4f, validation (seeded 10%%) %.4f; wrote %@",
                     router.trainingExamples, Date().timeIntervalSince(started), router.trainingAccuracy, router.validationAccuracy, out))
        print("rebuild to bundle it; RouterHeldOutTests measures it on the hand-written held-out set")
    }
}
