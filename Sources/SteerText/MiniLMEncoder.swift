// all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) as a native sentence encoder: Steer's default
// prompt embedder.
import Foundation
internal import SteerNN

/// A BERT sentence encoder loaded from a sentence-transformers folder such as
/// `$STEER_CACHE/models/all-MiniLM-L6-v2`: WordPiece tokenizer, BERT encoder, mean pooling,
/// L2 normalisation. Matches the reference pipeline to cosine ≥ 0.9999 (see the parity tests).
///
/// Thread-safe: concurrent calls each use their own workspace.
public final class MiniLMEncoder: SentenceEncoder {
    public let name: String
    public var dimension: Int { runtime.dimension }
    public var tokenizer: WordPieceTokenizer { runtime.tokenizer }
    private let runtime: EncoderRuntime

    /// Loads the model in `directory`.
    /// - Parameter directory: a folder holding `config.json`, `vocab.txt`, `model.safetensors`
    ///   and optionally `tokenizer_config.json`, `sentence_bert_config.json`, `1_Pooling/`.
    /// - Throws: ``SteerTextError`` naming the file (and tensor) that is missing or malformed.
    public init(directory: URL, threads: Int = 1) throws {
        let folder = ModelDirectory(url: directory)
        let config = try folder.transformerConfig(modelType: "bert")
        try folder.checkMeanPooling()
        let tokenizer = try folder.tokenizer(defaults: .bert, positionLimit: config.maxPositions)
        try EncoderRuntime.check(tokenizer, config, positionOffset: 0, path: folder.file("config.json").path)
        let file = try folder.weights()
        let load = try WeightLoader(file: file, probe: "embeddings.word_embeddings.weight", candidatePrefixes: ["", "bert."])
        let (c, i) = (config.hidden, config.intermediate)
        let layers = try (0..<config.layers).map { n in
            let p = "encoder.layer.\(n)."
            return TransformerLayer(
                qkv: try load.stacked([p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"], out: c, in: c),
                attentionOutput: try load.linear(p + "attention.output.dense", out: c, in: c),
                attentionNorm: try load.norm(p + "attention.output.LayerNorm", c),
                intermediate: try load.linear(p + "intermediate.dense", out: i, in: c),
                output: try load.linear(p + "output.dense", out: c, in: i),
                outputNorm: try load.norm(p + "output.LayerNorm", c))
        }
        let tokenTypes = try file.floats(load.prefix + "embeddings.token_type_embeddings.weight")
        guard tokenTypes.count >= c else {
            throw SteerTextError.tensorMismatch(file.path, "embeddings.token_type_embeddings.weight", "needs at least one row of \(c)")
        }
        let weights = TransformerWeights(
            wordEmbeddings: try load.tensor("embeddings.word_embeddings.weight", [config.vocabSize, c]),
            positionEmbeddings: try load.tensor("embeddings.position_embeddings.weight", [config.maxPositions, c]),
            tokenTypeEmbedding: FloatBuffer(Array(tokenTypes[0..<c])),
            embeddingNorm: try load.norm("embeddings.LayerNorm", c),
            layers: layers, relativeAttentionBias: nil)
        name = directory.lastPathComponent
        runtime = EncoderRuntime(
            tokenizer: tokenizer,
            model: TransformerModel(config: config, weights: weights, positionOffset: 0, relativeBias: nil),
            threads: max(1, threads))
    }

    /// Embeds `texts`; see ``SentenceEncoder/embedFlat(_:)``.
    public func embedFlat(_ texts: [String]) -> [Float] { runtime.embedFlat(texts) }

    /// The last layer's token states of each text; see ``SentenceEncoder/tokenStates(_:)``.
    public func tokenStates(_ texts: [String]) -> [TokenStates] { runtime.tokenStates(texts) }
}
