// The prompt-embedding cache: (encoder, normalised prompt) → embedding, LRU, bounded in bytes.
import SteerSync

/// A thread-safe LRU cache of prompt embeddings, bounded by an estimate of the bytes it holds.
///
/// Keys are the encoder name and ``PromptText/normalize(_:)`` of the prompt, so "I want a
/// Comedy " and "i want a comedy" share an entry (the uncased encoder embeds them identically).
/// An entry costs ``entryCost(encoder:normalizedText:dimension:)`` bytes; inserting past the
/// capacity evicts least-recently-used entries first.
public final class PromptCache: Sendable {
    /// Counters and occupancy at one instant.
    public struct Stats: Sendable, Equatable {
        public var hits: UInt64 = 0
        public var misses: UInt64 = 0
        public var evictions: UInt64 = 0
        public var entries = 0
        /// Estimated bytes held (sum of entry costs).
        public var bytes = 0
        /// The bound ``bytes`` never exceeds.
        public var capacityBytes = 0
    }

    /// Bookkeeping bytes per entry on top of the floats and key text: the dictionary slot, the
    /// list node, two String and one Array header (an estimate for 64-bit platforms).
    public static let entryOverhead = 128

    private struct Key: Hashable {
        let encoder: String
        let text: String
    }

    private struct Node {
        var key: Key
        var embedding: [Float]
        var cost: Int
        var newer: Int   // towards the most recently used; -1 at the head
        var older: Int   // towards the least recently used; -1 at the tail
    }

    /// A doubly linked recency list threaded through an array, so nothing is allocated per hit.
    private struct State {
        var index: [Key: Int] = [:]
        var nodes: [Node] = []
        var free: [Int] = []
        var newest = -1
        var oldest = -1
        var stats = Stats()

        mutating func unlink(_ i: Int) {
            let (newer, older) = (nodes[i].newer, nodes[i].older)
            if newer >= 0 { nodes[newer].older = older } else { newest = older }
            if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
        }

        mutating func pushNewest(_ i: Int) {
            nodes[i].newer = -1
            nodes[i].older = newest
            if newest >= 0 { nodes[newest].newer = i }
            newest = i
            if oldest < 0 { oldest = i }
        }

        mutating func remove(_ i: Int) {
            unlink(i)
            index[nodes[i].key] = nil
            stats.bytes -= nodes[i].cost
            stats.entries -= 1
            nodes[i].embedding = []
            free.append(i)
        }
    }

    private let state: Locked<State>
    /// Whether keys are prompt texts to normalise; false for keys that are exact already (the
    /// daemon's user-vector and prepared-prompt caches), which then cost no Unicode work per lookup.
    private let normalizesKeys: Bool

    /// A cache holding at most `capacityBytes` (estimated) bytes; keys normalised as prompt text
    /// unless `normalizesKeys` is false.
    public init(capacityBytes: Int, normalizesKeys: Bool = true) {
        var initial = State()
        initial.stats.capacityBytes = max(0, capacityBytes)
        state = Locked(initial)
        self.normalizesKeys = normalizesKeys
    }

    private func key(_ encoder: String, _ text: String) -> Key {
        Key(encoder: encoder, text: normalizesKeys ? PromptText.normalize(text) : text)
    }

    /// What one entry is charged: 4 bytes per float, the UTF-8 key bytes, ``entryOverhead``.
    public static func entryCost(encoder: String, normalizedText: String, dimension: Int) -> Int {
        dimension * MemoryLayout<Float>.size + encoder.utf8.count + normalizedText.utf8.count + entryOverhead
    }

    /// The cached embedding of `text` under `encoder`, marking it most recently used; counts a hit or a miss.
    public func get(encoder: String, text: String) -> [Float]? {
        let key = key(encoder, text)
        return state.withLock { s in
            guard let i = s.index[key] else {
                s.stats.misses += 1
                return nil
            }
            s.stats.hits += 1
            s.unlink(i)
            s.pushNewest(i)
            return s.nodes[i].embedding
        }
    }

    /// Stores `embedding` for `text` under `encoder` as the most recently used entry, evicting
    /// the least recently used ones until it fits. An entry larger than the whole capacity is
    /// not stored (and evicts nothing).
    public func put(encoder: String, text: String, embedding: [Float]) {
        let key = key(encoder, text)
        let cost = Self.entryCost(encoder: encoder, normalizedText: key.text, dimension: embedding.count)
        state.withLock { s in
            if let existing = s.index[key] { s.remove(existing) }
            guard cost <= s.stats.capacityBytes else { return }
            while s.stats.bytes + cost > s.stats.capacityBytes, s.oldest >= 0 {
                s.remove(s.oldest)
                s.stats.evictions += 1
            }
            let node = Node(key: key, embedding: embedding, cost: cost, newer: -1, older: -1)
            let i: Int
            if let reused = s.free.popLast() {
                s.nodes[reused] = node
                i = reused
            } else {
                s.nodes.append(node)
                i = s.nodes.count - 1
            }
            s.index[key] = i
            s.pushNewest(i)
            s.stats.bytes += cost
            s.stats.entries += 1
        }
    }

    /// Counters and occupancy.
    public var stats: Stats { state.withLock { $0.stats } }

    /// The normalised texts of `encoder`'s entries, most recently used first (for tests and debugging).
    public func keys(encoder: String) -> [String] {
        state.withLock { s in
            var out: [String] = []
            var i = s.newest
            while i >= 0 {
                if s.nodes[i].key.encoder == encoder { out.append(s.nodes[i].key.text) }
                i = s.nodes[i].older
            }
            return out
        }
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
        state.withLock { s in
            var out: [Entry] = []
            out.reserveCapacity(s.stats.entries)
            var i = s.oldest
            while i >= 0 {
                out.append(Entry(encoder: s.nodes[i].key.encoder, text: s.nodes[i].key.text, embedding: s.nodes[i].embedding))
                i = s.nodes[i].newer
            }
            return out
        }
    }

    /// Drops every entry (counters are kept).
    public func removeAll() {
        state.withLock { s in
            let capacity = s.stats.capacityBytes
            let counters = (s.stats.hits, s.stats.misses, s.stats.evictions)
            s = State()
            s.stats.capacityBytes = capacity
            (s.stats.hits, s.stats.misses, s.stats.evictions) = counters
        }
    }
}
