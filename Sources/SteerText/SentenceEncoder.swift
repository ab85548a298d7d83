// The sentence-encoder abstraction the daemon embeds prompts through.

/// A frozen text encoder: texts in, one unit-length vector of ``dimension`` Floats per text out.
///
/// Implementations are safe to call from several threads at once.
public protocol SentenceEncoder: Sendable {
    /// A short model name, e.g. `"all-MiniLM-L6-v2"`.
    var name: String { get }
    /// The kernels the encoder runs on, for logs and benchmark tables.
    var kernelDescription: String { get }
    /// The embedding width (384 for MiniLM, 768 for MPNet).
    var dimension: Int { get }
    /// The tokenizer, exposed so callers can inspect or count tokens.
    var tokenizer: WordPieceTokenizer { get }

    /// Embeds `texts` into one flat row-major buffer.
    /// - Returns: `texts.count × dimension` Floats; row `i` is the L2-normalised embedding of `texts[i]`.
    /// - Complexity: linear in the total number of tokens per layer, plus attention that is
    ///   quadratic in each text's token count (capped by the tokenizer's `maxLength`).
    /// - Throws: whatever the implementation cannot embed (the native encoders never throw).
    func embedFlat(_ texts: [String]) throws -> [Float]

    /// The last transformer layer's output for every token of each text ([CLS] and [SEP]
    /// included, as mean pooling includes them), with the pooled embedding alongside: the
    /// token-level key/value memory of a DPR fusion tower.
    func tokenStates(_ texts: [String]) throws -> [TokenStates]
}

/// One text's last-layer token states: ``count`` rows of ``dimension`` Floats, un-normalised,
/// plus its unit-length pooled embedding (what ``SentenceEncoder/embedFlat(_:)`` returns).
public struct TokenStates: Sendable, Equatable {
    /// Tokens, special tokens included.
    public let count: Int
    /// Floats per token.
    public let dimension: Int
    /// [count, dimension], row-major.
    public let values: [Float]
    /// The unit-length mean-pooled embedding, dimension Floats.
    public let pooled: [Float]

    public init(count: Int, dimension: Int, values: [Float], pooled: [Float]) {
        precondition(values.count == count * dimension && pooled.count == dimension, "token states do not match their shape")
        self.count = count
        self.dimension = dimension
        self.values = values
        self.pooled = pooled
    }
}

extension SentenceEncoder {
    /// Embeds `texts`, one vector per text (see ``embedFlat(_:)``).
    public func embed(_ texts: [String]) throws -> [[Float]] {
        let flat = try embedFlat(texts)
        return (0..<texts.count).map { Array(flat[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    /// Embeds one text.
    public func embed(_ text: String) throws -> [Float] { try embedFlat([text]) }
}

extension SentenceEncoder {
    public var kernelDescription: String { "its own" }
}

/// The arithmetic of an encoder's linear layers.
public enum EncoderPrecision: String, Sendable, CaseIterable {
    /// Float32 throughout: within 1e-5 of sentence-transformers (the default).
    case fp32
    /// Int8 weights and activations in the linear layers (AVX-512 VNNI; fp32 where the CPU lacks
    /// it): faster, and no longer bit-close to the reference.
    case int8
}
