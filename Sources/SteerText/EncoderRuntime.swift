// What both native encoders share once loaded: tokenize, chunk the batch, run the network in a
// pooled workspace.

/// Tokenizer + network + workspaces: the thread-safe embedding path behind ``MiniLMEncoder``
/// and ``MPNetEncoder``.
struct EncoderRuntime: Sendable {
    let tokenizer: WordPieceTokenizer
    let model: TransformerModel
    let pool = WorkspacePool()
    /// Cores each linear layer is split over (see ``Kernels/linear(_:_:rows:_:threads:)``).
    let threads: Int
    /// Rows per forward pass: bounds scratch memory (≈ 20 KB per row for MiniLM) however many
    /// texts one call brings, while keeping the matrices tall enough for sgemm to run well.
    static let rowsPerPass = 4096

    var dimension: Int { model.config.hidden }

    func embedFlat(_ texts: [String]) -> [Float] {
        let dimension = dimension
        let sequences = texts.map(tokenizer.encode)
        return [Float](unsafeUninitializedCapacity: texts.count * dimension) { buffer, initialized in
            pool.withWorkspace { workspace in
                var first = 0
                while first < sequences.count {
                    var last = first
                    var rows = 0
                    while last < sequences.count, last == first || rows + sequences[last].count <= Self.rowsPerPass {
                        rows += sequences[last].count
                        last += 1
                    }
                    model.forward(Array(sequences[first..<last]), workspace: workspace,
                                  out: buffer.baseAddress! + first * dimension, threads: threads)
                    first = last
                }
            }
            initialized = texts.count * dimension
        }
    }

    /// Checks that the tokenizer can only produce ids and lengths the network accepts.
    static func check(_ tokenizer: WordPieceTokenizer, _ config: TransformerConfig, positionOffset: Int, path: String) throws {
        guard tokenizer.vocabulary.count <= config.vocabSize else {
            throw SteerTextError.config(
                path, "vocab.txt has \(tokenizer.vocabulary.count) tokens but the model embeds only \(config.vocabSize)")
        }
        guard tokenizer.maxLength + positionOffset <= config.maxPositions else {
            throw SteerTextError.config(
                path, "max sequence length \(tokenizer.maxLength) exceeds the \(config.maxPositions - positionOffset) positions the model has")
        }
    }
}
