// all-mpnet-base-v2 (12 layers, 768 wide, relative position bias) as a native sentence
// encoder: the paper's prompt embedder (fetch it with Scripts/fetch-mpnet).
import Foundation

/// An MPNet sentence encoder loaded from a sentence-transformers folder such as
/// `$STEER_CACHE/models/all-mpnet-base-v2`.
///
/// Differs from BERT in three ways: position ids start at `pad_token_id + 1` (RoBERTa style),
/// there are no token-type embeddings, and every attention score gets a learned bias per
/// head and relative-distance bucket (`relative_attention_num_buckets` = 32, max distance 128).
///
/// Thread-safe: concurrent calls each use their own workspace.
public final class MPNetEncoder: SentenceEncoder {
    public let name: String
    public var dimension: Int { runtime.dimension }
    public var tokenizer: WordPieceTokenizer { runtime.tokenizer }
    private let runtime: EncoderRuntime

    /// Loads the model in `directory`.
    /// - Throws: ``SteerTextError`` naming the file (and tensor) that is missing or malformed.
    public init(directory: URL, threads: Int = 1) throws {
        let folder = ModelDirectory(url: directory)
        let config = try folder.transformerConfig(modelType: "mpnet")
        try folder.checkMeanPooling()
        let positionOffset = config.padTokenID + 1
        let tokenizer = try folder.tokenizer(defaults: .mpnet, positionLimit: config.maxPositions - positionOffset)
        try EncoderRuntime.check(tokenizer, config, positionOffset: positionOffset, path: folder.file("config.json").path)
        let file = try folder.weights()
        let load = try WeightLoader(file: file, probe: "embeddings.word_embeddings.weight", candidatePrefixes: ["", "mpnet."])
        let (c, i) = (config.hidden, config.intermediate)
        let layers = try (0..<config.layers).map { n in
            let p = "encoder.layer.\(n)."
            return TransformerLayer(
                qkv: try load.stacked([p + "attention.attn.q", p + "attention.attn.k", p + "attention.attn.v"], out: c, in: c),
                attentionOutput: try load.linear(p + "attention.attn.o", out: c, in: c),
                attentionNorm: try load.norm(p + "attention.LayerNorm", c),
                intermediate: try load.linear(p + "intermediate.dense", out: i, in: c),
                output: try load.linear(p + "output.dense", out: c, in: i),
                outputNorm: try load.norm(p + "output.LayerNorm", c))
        }
        let buckets = config.relativeBuckets ?? 32
        let table = try load.tensor("encoder.relative_attention_bias.weight", [buckets, config.heads])
        let weights = TransformerWeights(
            wordEmbeddings: try load.tensor("embeddings.word_embeddings.weight", [config.vocabSize, c]),
            positionEmbeddings: try load.tensor("embeddings.position_embeddings.weight", [config.maxPositions, c]),
            tokenTypeEmbedding: nil,
            embeddingNorm: try load.norm("embeddings.LayerNorm", c),
            layers: layers, relativeAttentionBias: table)
        let bias = RelativePositionBias(table: table, buckets: buckets, heads: config.heads, maxLength: tokenizer.maxLength)
        name = directory.lastPathComponent
        runtime = EncoderRuntime(
            tokenizer: tokenizer,
            model: TransformerModel(config: config, weights: weights, positionOffset: positionOffset, relativeBias: bias),
            threads: max(1, threads))
    }

    /// Embeds `texts`; see ``SentenceEncoder/embedFlat(_:)``.
    public func embedFlat(_ texts: [String]) -> [Float] { runtime.embedFlat(texts) }

    /// The last layer's token states of each text; see ``SentenceEncoder/tokenStates(_:)``.
    public func tokenStates(_ texts: [String]) -> [TokenStates] { runtime.tokenStates(texts) }
}
