// The router's model file (Resources/router.json): weights plus where they came from.
import Foundation

/// The JSON form of a trained ``PromptRouter``.
///
/// Besides the weights it records what they are only valid with (the encoder, the cue feature
/// names and a fingerprint of ``CueLexicon``) and how they were made (generator, seed, sizes,
/// accuracies), so a stale file is refused instead of routing silently wrong.
struct RouterModel: Codable, Sendable, Equatable {
    static let currentFormat = "steer-router/1"

    var format: String
    /// How the file was produced, in words (generator, trainer, command to retrain).
    var provenance: [String]
    var encoder: String
    var dimension: Int
    var cueFeatures: [String]
    var cueLexiconFingerprint: String
    var seed: UInt64
    var trainingExamples: Int
    var trainingAccuracy: Double
    /// Accuracy on a seeded 10% of the generated examples held out of a first fit.
    var validationAccuracy: Double
    var settings: LogisticRegression.Settings
    var bias: Float
    /// `dimension` embedding weights, then one per cue feature.
    var weights: [Float]

    /// Decodes and checks `data` against this build's feature set.
    static func decode(_ data: Data, source: String) throws -> RouterModel {
        let model: RouterModel
        do {
            model = try JSONDecoder().decode(RouterModel.self, from: data)
        } catch {
            throw PromptError.malformedModel(source, "not a router model JSON file (\(error))")
        }
        guard model.format == currentFormat else {
            throw PromptError.malformedModel(source, "format \"\(model.format)\", expected \"\(currentFormat)\"")
        }
        guard model.cueFeatures == CueFeatures.names else {
            throw PromptError.malformedModel(source, "trained on cue features \(model.cueFeatures), this build computes \(CueFeatures.names): retrain")
        }
        guard model.cueLexiconFingerprint == CueLexicon.fingerprint else {
            throw PromptError.malformedModel(source, "trained with cue lexicon \(model.cueLexiconFingerprint), this build has \(CueLexicon.fingerprint): retrain")
        }
        guard model.dimension > 0, model.weights.count == model.dimension + CueFeatures.names.count else {
            throw PromptError.malformedModel(source, "\(model.weights.count) weights for dimension \(model.dimension) + \(CueFeatures.names.count) cue features")
        }
        guard model.weights.allSatisfy(\.isFinite), model.bias.isFinite else {
            throw PromptError.malformedModel(source, "a weight is NaN or infinite")
        }
        return model
    }

    /// Pretty, key-sorted JSON (weights rounded to 6 significant digits keep the diff readable).
    func encoded() throws -> Data {
        var copy = self
        copy.weights = weights.map { Float(String(format: "%.6g", Double($0)))! }
        copy.bias = Float(String(format: "%.6g", Double(bias)))!
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(copy)
    }
}
