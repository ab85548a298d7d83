// The head's serving entry points: each prompt handed over as it is (its own number of token
// rows), the padding to one [B, L, ·] block done here, where the layout is known.
extension DPRHead {
    /// One prompt as the head reads it: `rows` token states, row-major (one row for a pooled prompt).
    public struct PromptRows: Sendable {
        public var values: [Float]
        public var rows: Int

        public init(values: [Float], rows: Int) {
            self.values = values
            self.rows = rows
        }
    }

    /// z [B, d] for users [B, d] and their prompts' encoder states (each `rows × encoderDim`).
    public func fuse(users: UnsafePointer<Float>, prompts: [PromptRows], polarities: [PromptPolarity],
                     workspace: DPRWorkspace? = nil, into out: UnsafeMutablePointer<Float>) {
        let (values, keys, lengths) = Self.padded(prompts, width: config.encoderDim)
        forward(out: out, user: users, prompt: values, promptLength: keys, lengths: lengths, polarities: polarities,
                batch: prompts.count, workspace: workspace)
    }

    /// z [B, d] of every row through the positive tower, as an array: for a prompt memory's
    /// neighbours, whose prompts are encoder states or, with `projected`, the projector's output.
    public func requested(users: [Float], prompts: [PromptRows], projected: Bool, workspace: DPRWorkspace? = nil) -> [Float] {
        var z = [Float](repeating: 0, count: prompts.count * config.dim)
        let polarities = [PromptPolarity](repeating: .positive, count: prompts.count)
        z.withUnsafeMutableBufferPointer { out in
            if projected {
                fuse(users: users, projected: prompts, polarities: polarities, workspace: workspace, into: out.baseAddress!)
            } else {
                fuse(users: users, prompts: prompts, polarities: polarities, workspace: workspace, into: out.baseAddress!)
            }
        }
        return z
    }

    /// z [B, d] for users [B, d] and prompts already through the projector (each `rows × dim`, as
    /// ``project(_:rows:)`` returns them; a server keeps them per prompt text).
    public func fuse(users: UnsafePointer<Float>, projected prompts: [PromptRows], polarities: [PromptPolarity],
                     workspace: DPRWorkspace? = nil, into out: UnsafeMutablePointer<Float>) {
        let (values, keys, lengths) = Self.padded(prompts, width: config.dim)
        forward(out: out, user: users, projected: values, promptLength: keys, lengths: lengths, polarities: polarities,
                batch: prompts.count, workspace: workspace)
    }

    /// The prompts right-padded with zeros to the longest one's L rows: [B, L, width], L, and each
    /// prompt's real row count (the attention masks the rest).
    static func padded(_ prompts: [PromptRows], width: Int) -> (values: [Float], keys: Int, lengths: [Int32]) {
        let keys = max(1, prompts.map(\.rows).max() ?? 1)
        var values = [Float](repeating: 0, count: prompts.count * keys * width)
        for (r, prompt) in prompts.enumerated() {
            precondition(prompt.rows >= 1 && prompt.values.count == prompt.rows * width,
                         "prompt \(r): \(prompt.values.count) floats for \(prompt.rows) rows of \(width)")
            values.replaceSubrange((r * keys * width)..<((r * keys + prompt.rows) * width), with: prompt.values)
        }
        return (values, keys, prompts.map { Int32($0.rows) })
    }
}
