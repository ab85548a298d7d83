// all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) as a native sentence encoder: Steer's default
// prompt embedder.
import Foundation

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
    /// - Parameter precision: `.int8` runs the linear layers in int8 where the CPU has AVX-512
    ///   VNNI (elsewhere fp32; ``kernelDescription`` says which runs).
    /// - Parameter adapters: changes to the linear layers, added as they load (a fine-tuned
    ///   router's encoder, shipped as ``LowRankAdapters`` of this folder's model).
    public convenience init(directory: URL, threads: Int = 1, precision: EncoderPrecision = .fp32,
                            adapters: LowRankAdapters? = nil) throws {
        try self.init(directory: directory, threads: threads, kernel: EncoderKernel.choose(precision), adapters: adapters)
    }

    /// Loads the model in `directory`, run on `kernel` (the tests compare both).
    init(directory: URL, threads: Int, kernel: EncoderKernel, adapters: LowRankAdapters? = nil) throws {
        runtime = try EncoderRuntime(directory: directory, architecture: .bert, threads: threads, kernel: kernel, adapters: adapters)
        name = directory.lastPathComponent
        kernelDescription = kernel.description
        precision = kernel == .int8 ? .int8 : .fp32
    }

    /// The kernels this encoder runs on, for benchmark tables and logs: "AVX-512 kernels",
    /// "OpenBLAS" (a CPU without AVX-512F, or STEER_ENCODER_KERNEL=openblas) or "int8, AVX-512 VNNI".
    public let kernelDescription: String
    /// The precision that runs: int8 only where asked for and the CPU has AVX-512 VNNI.
    public let precision: EncoderPrecision

    /// Embeds `texts`; see ``SentenceEncoder/embedFlat(_:)``.
    public func embedFlat(_ texts: [String]) -> [Float] { runtime.embedFlat(texts) }

    /// The last layer's token states of each text; see ``SentenceEncoder/tokenStates(_:)``.
    public func tokenStates(_ texts: [String]) -> [TokenStates] { runtime.tokenStates(texts) }
}
