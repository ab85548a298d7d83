// What both native encoders share once loaded: tokenize, chunk the batch, run the network in
// pooled workspaces, spread over cores.
import Dispatch

/// Tokenizer + network + workspaces: the thread-safe embedding path behind ``MiniLMEncoder``
/// and ``MPNetEncoder``.
struct EncoderRuntime: Sendable {
    let tokenizer: WordPieceTokenizer
    let model: TransformerModel
    /// Cores one call may use: a batch is split across them (data parallel); a batch too small
    /// to split has each linear layer split instead (see ``Kernels/linear(_:_:rows:_:threads:)``).
    let threads: Int
    let pool = WorkspacePool()
    /// Rows per forward pass: bounds scratch memory (≈ 20 KB per row for MiniLM) however many
    /// texts one call brings, while keeping the matrices tall enough for sgemm to run well.
    static let rowsPerPass = 4096
    /// Below this many texts per core a batch is not split by texts (each part would be too
    /// short for sgemm to reach its speed).
    static let textsPerCore = 4

    var dimension: Int { model.config.hidden }

    func embedFlat(_ texts: [String]) -> [Float] {
        let dimension = dimension
        let sequences = texts.map(tokenizer.encode)
        return [Float](unsafeUninitializedCapacity: texts.count * dimension) { buffer, initialized in
            let out = OutputRows(base: buffer.baseAddress, dimension: dimension)
            let parts = min(threads, sequences.count / Self.textsPerCore)
            if parts > 1 {
                let bounds = Self.split(sequences, parts: parts)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    run(sequences, bounds[part]..<bounds[part + 1], into: out, threads: 1)
                }
            } else {
                run(sequences, 0..<sequences.count, into: out, threads: threads)
            }
            initialized = texts.count * dimension
        }
    }

    /// The last layer's token states of each text, one text per pass. Serving calls it per
    /// prompt through the prompt cache (the DPR head's keys and values, and the router's token
    /// reader), training for its prompt banks and the router's examples.
    func tokenStates(_ texts: [String]) -> [TokenStates] {
        let dimension = dimension
        return pool.withWorkspace { workspace in
            texts.map { text in
                let ids = tokenizer.encode(text)
                var pooled = [Float](repeating: 0, count: dimension)
                var states = [Float](repeating: 0, count: ids.count * dimension)
                pooled.withUnsafeMutableBufferPointer { p in
                    states.withUnsafeMutableBufferPointer { s in
                        model.forward([ids], workspace: workspace, out: p.baseAddress!, tokenStates: s.baseAddress!, threads: threads)
                    }
                }
                return TokenStates(count: ids.count, dimension: dimension, values: states, pooled: pooled)
            }
        }
    }

    /// Embeds sequences[range] pass by pass in one pooled workspace.
    private func run(_ sequences: [[Int32]], _ range: Range<Int>, into out: OutputRows, threads: Int) {
        pool.withWorkspace { workspace in
            var first = range.lowerBound
            while first < range.upperBound {
                var last = first
                var rows = 0
                while last < range.upperBound, last == first || rows + sequences[last].count <= Self.rowsPerPass {
                    rows += sequences[last].count
                    last += 1
                }
                model.forward(Array(sequences[first..<last]), workspace: workspace, out: out.row(first), threads: threads)
                first = last
            }
        }
    }

    /// Boundaries cutting `sequences` into `parts` contiguous groups of about equal token count.
    static func split(_ sequences: [[Int32]], parts: Int) -> [Int] {
        let total = sequences.reduce(0) { $0 + $1.count }
        var bounds = [0]
        var seen = 0
        for (index, sequence) in sequences.enumerated() where bounds.count < parts {
            seen += sequence.count
            if seen * parts >= total * bounds.count, index + 1 < sequences.count { bounds.append(index + 1) }
        }
        while bounds.count < parts { bounds.append(sequences.count) }
        bounds.append(sequences.count)
        return bounds
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

/// The result buffer, row by row. `@unchecked Sendable`: concurrent parts write disjoint rows.
private struct OutputRows: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>?
    let dimension: Int

    func row(_ index: Int) -> UnsafeMutablePointer<Float> { base! + index * dimension }
}
