// Reads a sentence-transformers model folder: config.json, the tokenizer files, the pooling
// and sequence-length settings, and the weights file.
import Foundation
import SteerSafeTensors

/// The architecture numbers of a BERT-family encoder, from `config.json`.
struct TransformerConfig: Sendable {
    var hidden: Int
    var heads: Int
    var layers: Int
    var intermediate: Int
    var layerNormEps: Float
    var vocabSize: Int
    var maxPositions: Int
    var padTokenID: Int
    var relativeBuckets: Int?

    var headDim: Int { hidden / heads }
}

/// A sentence-transformers model folder as downloaded (`vocab.txt`, `config.json`,
/// `tokenizer_config.json`, `sentence_bert_config.json`, `1_Pooling/config.json`, `model.safetensors`).
struct ModelDirectory {
    let url: URL

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// A JSON object file; `required: false` gives an empty object when the file is absent.
    func json(_ name: String, required: Bool = true) throws -> [String: Any] {
        let fileURL = file(name)
        guard FileManager.default.fileExists(atPath: fileURL.path) else {
            if required { throw SteerTextError.config(fileURL.path, "file not found (is \(url.path) a model folder?)") }
            return [:]
        }
        do {
            let data = try Data(contentsOf: fileURL)
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw SteerTextError.config(fileURL.path, "not a JSON object")
            }
            return object
        } catch let error as SteerTextError {
            throw error
        } catch {
            throw SteerTextError.config(fileURL.path, "unreadable JSON: \(error.localizedDescription)")
        }
    }

    /// `config.json`, checked against what the native encoders implement.
    func transformerConfig(modelType: String) throws -> TransformerConfig {
        let path = file("config.json").path
        let object = try json("config.json")
        func int(_ key: String) throws -> Int {
            guard let value = (object[key] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }), value > 0 || key == "pad_token_id" else {
                throw SteerTextError.config(path, "missing or invalid integer \"\(key)\"")
            }
            return value
        }
        if let type = object["model_type"] as? String, type != modelType {
            throw SteerTextError.config(path, "model_type is \"\(type)\", this encoder reads \"\(modelType)\"")
        }
        if let act = object["hidden_act"] as? String, act != "gelu" {
            throw SteerTextError.config(path, "hidden_act \"\(act)\" is not supported (only exact \"gelu\")")
        }
        if let kind = object["position_embedding_type"] as? String, kind != "absolute" {
            throw SteerTextError.config(path, "position_embedding_type \"\(kind)\" is not supported (only \"absolute\")")
        }
        let config = TransformerConfig(
            hidden: try int("hidden_size"), heads: try int("num_attention_heads"), layers: try int("num_hidden_layers"),
            intermediate: try int("intermediate_size"),
            layerNormEps: (object["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12,
            vocabSize: try int("vocab_size"), maxPositions: try int("max_position_embeddings"),
            padTokenID: (object["pad_token_id"] as? NSNumber)?.intValue ?? 0,
            relativeBuckets: (object["relative_attention_num_buckets"] as? NSNumber)?.intValue)
        guard config.hidden % config.heads == 0 else {
            throw SteerTextError.config(path, "hidden_size \(config.hidden) is not a multiple of num_attention_heads \(config.heads)")
        }
        return config
    }

    /// The tokenizer: `vocab.txt` with the settings of `tokenizer_config.json` and the
    /// sequence length of `sentence_bert_config.json` (capped by what the positions allow).
    func tokenizer(defaults: WordPieceTokenizer.SpecialTokens, positionLimit: Int) throws -> WordPieceTokenizer {
        let vocabulary = try Vocabulary(contentsOf: file("vocab.txt"))
        let settings = try json("tokenizer_config.json", required: false)
        func token(_ key: String, _ fallback: String) -> String {
            if let name = settings[key] as? String { return name }
            if let added = settings[key] as? [String: Any], let name = added["content"] as? String { return name }
            return fallback
        }
        let special = WordPieceTokenizer.SpecialTokens(
            cls: token("cls_token", defaults.cls), sep: token("sep_token", defaults.sep),
            unk: token("unk_token", defaults.unk), pad: token("pad_token", defaults.pad))
        let lowercase = settings["do_lower_case"] as? Bool ?? true
        let sentenceConfig = try json("sentence_bert_config.json", required: false)
        let maxLength = (sentenceConfig["max_seq_length"] as? NSNumber)?.intValue
            ?? (settings["model_max_length"] as? NSNumber)?.intValue ?? positionLimit
        return try WordPieceTokenizer(
            vocabulary: vocabulary, specialTokens: special, lowercase: lowercase,
            stripAccents: settings["strip_accents"] as? Bool, splitCJK: settings["tokenize_chinese_chars"] as? Bool ?? true,
            maxLength: min(maxLength, positionLimit), source: file("vocab.txt").path)
    }

    /// Refuses pooling other than mean pooling, the only one the encoders implement.
    func checkMeanPooling() throws {
        let pooling = try json("1_Pooling/config.json", required: false)
        guard !pooling.isEmpty else { return }
        if pooling["pooling_mode_mean_tokens"] as? Bool != true {
            throw SteerTextError.config(file("1_Pooling/config.json").path, "only mean pooling (pooling_mode_mean_tokens) is supported")
        }
    }

    /// The weights file.
    func weights() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: file("model.safetensors").path)
    }
}
