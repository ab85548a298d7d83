// The router's model file (Resources/router.json): weights plus where they came from.
import Foundation

/// The JSON form of a trained ``PromptRouter``.
///
/// Besides the weights it records what they are only valid with (the encoder, the cue feature
/// names and a fingerprint of ``CueLexicon``) and how they were made (generator, seed, sizes,
/// accuracies), so a stale file is refused instead of routing silently wrong.
struct RouterModel: Codable, Sendable, Equatable {
    static let currentFormat = "steer-router/3"
    /// Files of this format hold one token reader (`tokenReader`); they still load.
    static let oneReaderFormat = "steer-router/2"
    /// Files of this format hold only the logistic regression; they still load.
    static let linearFormat = "steer-router/1"

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
    /// The token readers (format 3), trained alike from different seeds; their mean logit is
    /// averaged with the regression's.
    var tokenReaders: [TokenReaderWeights]?
    /// The one token reader of a `steer-router/2` file (absent in formats 1 and 3).
    var tokenReader: TokenReaderWeights?

    /// ``TokenReader`` in the file: its long arrays as base64 little-endian float32, so the
    /// file stays a few hundred kilobytes of JSON instead of a hundred thousand lines.
    struct TokenReaderWeights: Codable, Sendable, Equatable {
        var settings: TokenReader.Settings
        var bias: Float
        var weights: [Float]
        var filters: Int
        var width: Int
        var convolutionKernel: String
        var convolutionBias: [Float]
        var convolutionOutput: [Float]
    }

    /// Decodes and checks `data` against this build's feature set (the token reader's arrays are
    /// checked where they are unpacked, ``reader(source:)``).
    static func decode(_ data: Data, source: String) throws -> RouterModel {
        let model: RouterModel
        do {
            model = try JSONDecoder().decode(RouterModel.self, from: data)
        } catch {
            throw PromptError.malformedModel(source, "not a router model JSON file (\(error))")
        }
        let readersMatchFormat = switch model.format {
        case currentFormat: model.tokenReaders.map { !$0.isEmpty } == true && model.tokenReader == nil
        case oneReaderFormat: model.tokenReader != nil && model.tokenReaders == nil
        case linearFormat: model.tokenReader == nil && model.tokenReaders == nil
        default: false
        }
        guard readersMatchFormat else {
            throw PromptError.malformedModel(source, "format \"\(model.format)\" with \(model.tokenReaders?.count ?? 0) readers and "
                + "\(model.tokenReader == nil ? "no" : "a") single reader, expected \"\(currentFormat)\" with at least one reader")
        }
        guard model.cueFeatures == CueFeatures.names else {
            throw PromptError.malformedModel(source, "trained on cue features \(model.cueFeatures), this build computes \(CueFeatures.names): retrain")
        }
        guard model.cueLexiconFingerprint == CueLexicon.fingerprint else {
            throw PromptError.malformedModel(source, "trained with cue lexicon \(model.cueLexiconFingerprint), this build has \(CueLexicon.fingerprint): retrain")
        }
        // Subtracted, not added: a dimension near Int.max must be refused, not overflow.
        guard model.dimension > 0, model.weights.count - CueFeatures.names.count == model.dimension else {
            throw PromptError.malformedModel(source, "\(model.weights.count) weights for dimension \(model.dimension) + \(CueFeatures.names.count) cue features")
        }
        guard model.weights.allSatisfy(\.isFinite), model.bias.isFinite else {
            throw PromptError.malformedModel(source, "a weight is NaN or infinite")
        }
        return model
    }

    /// The token readers of the file (one in format 2, none in format 1).
    private var storedReaders: [TokenReaderWeights] { tokenReaders ?? tokenReader.map { [$0] } ?? [] }

    /// The token readers of the file, each checked against the regression's shape.
    func readers(source: String) throws -> [TokenReader] {
        try storedReaders.enumerated().map { try reader($1, number: $0 + 1, source: source) }
    }

    private func reader(_ stored: TokenReaderWeights, number: Int, source: String) throws -> TokenReader {
        func bad(_ why: String) -> PromptError { .malformedModel(source, "token reader \(number): \(why)") }
        guard stored.width == TokenConvolution.width else { throw bad("width \(stored.width), this build reads \(TokenConvolution.width)") }
        guard stored.filters > 0, stored.weights.count == weights.count, stored.convolutionBias.count == stored.filters,
              stored.convolutionOutput.count == stored.filters else { throw bad("arrays do not match \(stored.filters) filters") }
        guard let kernel = Self.floats(base64: stored.convolutionKernel), kernel.count == stored.filters * stored.width * dimension else {
            throw bad("the kernel is not \(stored.filters) × \(stored.width) × \(dimension) base64 float32 values")
        }
        let all = kernel + stored.weights + stored.convolutionBias + stored.convolutionOutput + [stored.bias]
        guard all.allSatisfy(\.isFinite) else { throw bad("a weight is NaN or infinite") }
        return TokenReader(weights: stored.weights, bias: stored.bias,
                           convolution: TokenConvolution(dimension: dimension, filters: stored.filters, kernel: kernel,
                                                         bias: stored.convolutionBias, output: stored.convolutionOutput))
    }

    static func weights(of reader: TokenReader, settings: TokenReader.Settings) -> TokenReaderWeights {
        TokenReaderWeights(settings: settings, bias: reader.bias, weights: reader.weights, filters: reader.convolution.filters,
                           width: TokenConvolution.width, convolutionKernel: base64(reader.convolution.kernel),
                           convolutionBias: reader.convolution.bias, convolutionOutput: reader.convolution.output)
    }

    static func base64(_ values: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    static func floats(base64 text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: 4).map { (i: Int) -> Float in
            var bits = UInt32(bytes[i])
            bits |= UInt32(bytes[i + 1]) << 8
            bits |= UInt32(bytes[i + 2]) << 16
            bits |= UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
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
