// The prompt-embedding cache: (encoder, normalised prompt) → embedding, LRU, bounded in bytes.
import SteerSync
import SteerText

/// A thread-safe LRU cache of prompt embeddings, bounded by an estimate of the bytes it holds.
///
/// Keys are the encoder name and ``PromptText/normalize(_:)`` of the prompt, so "I want a
/// Comedy " and "i want a comedy" share an entry (the uncased encoder embeds them identically).
/// An entry costs ``entryCost(encoder:normalizedText:dimension:)`` bytes; inserting past the
/// capacity evicts least-recently-used entries first.
public final class PromptCache: Sendable {
    /// Counters and occupancy; ``LRUCacheStats/cost`` is in (estimated) bytes.
    public typealias Stats = LRUCacheStats

    /// Bookkeeping bytes per entry on top of the floats and key text: the dictionary slot, the
    /// list node, two String and one Array header (an estimate for 64-bit platforms).
    public static let entryOverhead = 128

    private struct Key: Hashable, Sendable {
        let encoder: String
        let text: String
    }

    private let cache: LRUCache<Key, [Float]>

    /// A cache holding at most `capacityBytes` (estimated) bytes.
    public init(capacityBytes: Int) {
        cache = LRUCache(capacity: capacityBytes) { key, embedding in
            PromptCache.entryCost(encoder: key.encoder, normalizedText: key.text, dimension: embedding.count)
        }
    }

    private func key(_ encoder: String, _ text: String) -> Key { Key(encoder: encoder, text: PromptText.normalize(text)) }

    /// What one entry is charged: 4 bytes per float, the UTF-8 key bytes, ``entryOverhead``.
    public static func entryCost(encoder: String, normalizedText: String, dimension: Int) -> Int {
        dimension * MemoryLayout<Float>.size + encoder.utf8.count + normalizedText.utf8.count + entryOverhead
    }

    /// The cached embedding of `text` under `encoder`, marking it most recently used; counts a hit or a miss.
    public func get(encoder: String, text: String) -> [Float]? { cache.get(key(encoder, text)) }

    /// Stores `embedding` for `text` under `encoder` as the most recently used entry, evicting
    /// the least recently used ones until it fits. An entry larger than the whole capacity is
    /// not stored (and evicts nothing).
    public func put(encoder: String, text: String, embedding: [Float]) { cache.put(key(encoder, text), embedding) }

    /// The name a prompt's token states are kept under, beside the same encoder's pooled embeddings.
    public static func tokenStatesName(_ encoder: String) -> String { encoder + "#tokens" }

    /// The cached token states and pooled embedding of `text` (both entries must be there).
    public func tokenStates(encoder: String, text: String, dimension: Int) -> TokenStates? {
        guard let values = get(encoder: Self.tokenStatesName(encoder), text: text), let pooled = get(encoder: encoder, text: text),
              pooled.count == dimension, values.count % dimension == 0 else { return nil }
        return TokenStates(count: values.count / dimension, dimension: dimension, values: values, pooled: pooled)
    }

    /// Stores `states` (the token states and, as the encoder's embedding, the pooled vector).
    public func put(encoder: String, text: String, states: TokenStates) {
        put(encoder: Self.tokenStatesName(encoder), text: text, embedding: states.values)
        put(encoder: encoder, text: text, embedding: states.pooled)
    }

    /// Counters and occupancy.
    public var stats: Stats { cache.stats }

    /// The normalised texts of `encoder`'s entries, most recently used first (for tests and debugging).
    public func keys(encoder: String) -> [String] {
        cache.entries().reversed().filter { $0.key.encoder == encoder }.map(\.key.text)
    }

    /// One cached embedding, as ``entries()`` lists it.
    public struct Entry: Sendable, Equatable {
        public var encoder: String
        /// The normalised text (``PromptText/normalize(_:)``).
        public var text: String
        public var embedding: [Float]

        public init(encoder: String, text: String, embedding: [Float]) {
            self.encoder = encoder
            self.text = text
            self.embedding = embedding
        }
    }

    /// Every entry, least recently used first: putting them back in this order restores the
    /// recency order too (for snapshots).
    public func entries() -> [Entry] {
        cache.entries().map { Entry(encoder: $0.key.encoder, text: $0.key.text, embedding: $0.value) }
    }

    /// Drops every entry (counters are kept).
    public func removeAll() { cache.removeAll() }
}
