// Prompt encodings computed once: the sentence encoder is frozen, so a training run embeds each
// distinct prompt text a single time and every epoch gathers from this bank.
import SteerDPR
import SteerText

/// Distinct prompt texts with their pooled embedding and last-layer token states.
///
/// Not thread-safe: ``add(_:)`` mutates; gathers may run concurrently once filling is done.
public final class PromptBank {
    /// The encoder width E.
    public let dimension: Int
    /// The encoder the prompts go through.
    public let encoder: any SentenceEncoder
    private var index: [String: Int] = [:]
    private var states: [TokenStates] = []

    /// An empty bank over `encoder`.
    public init(encoder: any SentenceEncoder) {
        self.encoder = encoder
        dimension = encoder.dimension
    }

    /// Number of distinct prompts.
    public var count: Int { states.count }

    /// Encodes every text not in the bank yet.
    /// - Throws: what the encoder throws.
    public func add(_ texts: [String]) throws {
        var fresh: [String] = []
        var seen = Set<String>()
        for text in texts where index[text] == nil && seen.insert(text).inserted { fresh.append(text) }
        guard !fresh.isEmpty else { return }
        let encoded = try encoder.tokenStates(fresh)
        for (text, state) in zip(fresh, encoded) {
            index[text] = states.count
            states.append(state)
        }
    }

    /// The bank row of `text`.
    /// - Precondition: `text` was added.
    public func id(_ text: String) -> Int {
        guard let id = index[text] else { preconditionFailure("prompt \"\(text)\" was never added to the bank") }
        return id
    }

    /// The pooled embedding of row `id`.
    public func pooled(_ id: Int) -> [Float] { states[id].pooled }

    /// Token states of row `id`.
    public func tokens(_ id: Int) -> TokenStates { states[id] }

    /// The head's prompt input for rows `ids`: for `.pooled` [B, 1, E]; for `.tokens` [B, L, E]
    /// right-padded to the longest (L), with each row's token count.
    public func gather(_ ids: [Int], mode: KeyValueMode) -> (values: [Float], keys: Int, lengths: [Int32]) {
        let e = dimension
        switch mode {
        case .pooled:
            var values = [Float](repeating: 0, count: ids.count * e)
            for (r, id) in ids.enumerated() { values.replaceSubrange((r * e)..<((r + 1) * e), with: states[id].pooled) }
            return (values, 1, [Int32](repeating: 1, count: ids.count))
        case .tokens:
            let keys = max(1, ids.map { states[$0].count }.max() ?? 1)
            var values = [Float](repeating: 0, count: ids.count * keys * e)
            var lengths = [Int32](repeating: 0, count: ids.count)
            for (r, id) in ids.enumerated() {
                let s = states[id]
                values.replaceSubrange((r * keys * e)..<((r * keys + s.count) * e), with: s.values)
                lengths[r] = Int32(s.count)
            }
            return (values, keys, lengths)
        }
    }

    /// The head's shared-prompt input for rows `ids`: the distinct prompts once each (as ``gather(_:mode:)``
    /// lays them out) and, per row, which of them it uses.
    public func gatherDistinct(_ ids: [Int], mode: KeyValueMode) -> (values: [Float], keys: Int, lengths: [Int32], promptOf: [Int32]) {
        var slot: [Int: Int32] = [:]
        var distinct: [Int] = []
        let promptOf = ids.map { id -> Int32 in
            if let s = slot[id] { return s }
            let s = Int32(distinct.count)
            slot[id] = s
            distinct.append(id)
            return s
        }
        let gathered = gather(distinct, mode: mode)
        return (gathered.values, gathered.keys, gathered.lengths, promptOf)
    }
}
