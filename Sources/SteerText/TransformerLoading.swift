// One loading path for the native encoders: a sentence-transformers folder of BERT (MiniLM) or
// MPNet becomes an EncoderRuntime. The two differ only where `TransformerArchitecture` says.
import Foundation
import SteerSafeTensors
internal import SteerNN

/// The transformer families the native encoders load.
enum TransformerArchitecture {
    /// BERT (all-MiniLM-L6-v2): absolute positions from 0, a token-type row added to every token.
    case bert
    /// MPNet (all-mpnet-base-v2): positions start at `pad_token_id + 1` (RoBERTa style), no
    /// token-type embeddings, and every attention score gets a learned bias per head and
    /// relative-distance bucket.
    case mpnet

    /// The `model_type` config.json must name.
    var modelType: String {
        switch self {
        case .bert: "bert"
        case .mpnet: "mpnet"
        }
    }

    var specialTokens: WordPieceTokenizer.SpecialTokens {
        switch self {
        case .bert: .bert
        case .mpnet: .mpnet
        }
    }

    /// The first position id.
    func positionOffset(_ config: TransformerConfig) -> Int {
        switch self {
        case .bert: 0
        case .mpnet: config.padTokenID + 1
        }
    }

    /// A layer's attention tensors under `encoder.layer.N.`: query, key, value, output, and the
    /// LayerNorm after attention.
    var attentionNames: (query: String, key: String, value: String, output: String, norm: String) {
        switch self {
        case .bert: ("attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense", "attention.output.LayerNorm")
        case .mpnet: ("attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o", "attention.LayerNorm")
        }
    }
}

extension EncoderRuntime {
    /// Loads the model in `directory`: `config.json`, `vocab.txt`, `model.safetensors` and
    /// optionally `tokenizer_config.json`, `sentence_bert_config.json`, `1_Pooling/`.
    /// - Throws: ``SteerTextError`` naming the file (and tensor) that is missing or malformed.
    /// `adapters` change the linear layers as they load (``LowRankAdapters``).
    init(directory: URL, architecture: TransformerArchitecture, threads: Int, kernel: EncoderKernel = .preferred,
         adapters: LowRankAdapters? = nil) throws {
        let folder = ModelDirectory(url: directory)
        let config = try folder.transformerConfig(modelType: architecture.modelType)
        try folder.checkMeanPooling()
        let positionOffset = architecture.positionOffset(config)
        let tokenizer = try folder.tokenizer(defaults: architecture.specialTokens, positionLimit: config.maxPositions - positionOffset)
        try EncoderRuntime.check(tokenizer, config, positionOffset: positionOffset, path: folder.file("config.json").path)
        let file = try folder.weights()
        // Checkpoints saved from a task model put the encoder under "bert." or "mpnet.".
        let load = try WeightLoader(file: file, probe: "embeddings.word_embeddings.weight",
                                    candidatePrefixes: ["", architecture.modelType + "."], adapters: adapters)
        let (c, i) = (config.hidden, config.intermediate)
        let names = architecture.attentionNames
        try adapters?.check(covers: Set((0..<config.layers).flatMap { n in
            [names.query, names.key, names.value, names.output, "intermediate.dense", "output.dense"].map { "encoder.layer.\(n).\($0)" }
        }))
        let layers = try (0..<config.layers).map { n in
            let p = "encoder.layer.\(n)."
            return TransformerLayer(
                qkv: try load.stacked([p + names.query, p + names.key, p + names.value], out: c, in: c),
                attentionOutput: try load.linear(p + names.output, out: c, in: c),
                attentionNorm: try load.norm(p + names.norm, c),
                intermediate: try load.linear(p + "intermediate.dense", out: i, in: c),
                output: try load.linear(p + "output.dense", out: c, in: i),
                outputNorm: try load.norm(p + "output.LayerNorm", c))
        }
        var tokenType: FloatBuffer?
        var biasTable: FloatBuffer?
        var bias: RelativePositionBias?
        switch architecture {
        case .bert:
            let tokenTypes = try file.floats(load.prefix + "embeddings.token_type_embeddings.weight")
            guard tokenTypes.count >= c else {
                throw SteerTextError.tensorMismatch(file.path, "embeddings.token_type_embeddings.weight", "needs at least one row of \(c)")
            }
            tokenType = FloatBuffer(Array(tokenTypes[0..<c]))
        case .mpnet:
            let buckets = config.relativeBuckets ?? 32
            let table = try load.tensor("encoder.relative_attention_bias.weight", [buckets, config.heads])
            biasTable = table
            bias = RelativePositionBias(table: table, buckets: buckets, heads: config.heads, maxLength: tokenizer.maxLength)
        }
        let weights = TransformerWeights(
            wordEmbeddings: try load.tensor("embeddings.word_embeddings.weight", [config.vocabSize, c]),
            positionEmbeddings: try load.tensor("embeddings.position_embeddings.weight", [config.maxPositions, c]),
            tokenTypeEmbedding: tokenType,
            embeddingNorm: try load.norm("embeddings.LayerNorm", c),
            layers: layers, relativeAttentionBias: biasTable)
        var model = TransformerModel(config: config, weights: weights, positionOffset: positionOffset, relativeBias: bias,
                                     kernel: kernel == .int8 ? .avx512 : kernel)
        if kernel == .int8 { model = Calibration.quantized(model, tokenizer: tokenizer) }
        self.init(tokenizer: tokenizer, model: model, threads: max(1, threads))
    }
}
