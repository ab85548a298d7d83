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
    /// The kernels this encoder runs on (see ``MiniLMEncoder/kernelDescription``).
    public let kernelDescription: String

    /// Loads the model in `directory`.
    /// - Throws: ``SteerTextError`` naming the file (and tensor) that is missing or malformed.
    /// - Parameter precision: as ``MiniLMEncoder/init(directory:threads:precision:)``.
    public init(directory: URL, threads: Int = 1, precision: EncoderPrecision = .fp32) throws {
        let kernel = EncoderKernel.choose(precision)
        runtime = try EncoderRuntime(directory: directory, architecture: .mpnet, threads: threads, kernel: kernel)
        kernelDescription = kernel.description
        name = directory.lastPathComponent
    }

    /// Embeds `texts`; see ``SentenceEncoder/embedFlat(_:)``.
    public func embedFlat(_ texts: [String]) -> [Float] { runtime.embedFlat(texts) }

    /// The last layer's token states of each text; see ``SentenceEncoder/tokenStates(_:)``.
    public func tokenStates(_ texts: [String]) -> [TokenStates] { runtime.tokenStates(texts) }
}
