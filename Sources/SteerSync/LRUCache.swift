// A thread-safe least-recently-used cache bounded by a cost (bytes, usually): the one behind the
// prompt-embedding cache, steerd's user-vector cache and its prepared prompts.

/// An ``LRUCache``'s counters and occupancy at one instant.
public struct LRUCacheStats: Sendable, Equatable {
    public var hits: UInt64 = 0
    public var misses: UInt64 = 0
    public var evictions: UInt64 = 0
    public var entries = 0
    /// Summed cost of the entries (bytes, for the caches that count bytes).
    public var cost = 0
    /// The bound ``cost`` never exceeds.
    public var capacity = 0

    public init() {}
}

/// Maps keys to values, evicting the least recently used entries when an insertion would take
/// the summed cost of the entries past ``LRUCacheStats/capacity``.
///
/// Lookups and insertions take one lock and allocate nothing per hit: the recency list is threaded
/// through an array of nodes. Generic code is `@inlinable` so that callers in other modules get
/// it specialised for their key and value types (a cache lookup sits on Recommend's hot path).
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public typealias Stats = LRUCacheStats

    @usableFromInline struct Node {
        @usableFromInline var key: Key
        @usableFromInline var value: Value?
        @usableFromInline var cost: Int
        @usableFromInline var newer: Int  // towards the most recently used; -1 at the head
        @usableFromInline var older: Int  // towards the least recently used; -1 at the tail

        @usableFromInline init(key: Key, value: Value?, cost: Int) {
            (self.key, self.value, self.cost, newer, older) = (key, value, cost, -1, -1)
        }
    }

    @usableFromInline struct State {
        @usableFromInline var index: [Key: Int] = [:]
        @usableFromInline var nodes: [Node] = []
        @usableFromInline var free: [Int] = []
        @usableFromInline var newest = -1
        @usableFromInline var oldest = -1
        @usableFromInline var stats = Stats()

        @usableFromInline init() {}

        @inlinable mutating func unlink(_ i: Int) {
            let (newer, older) = (nodes[i].newer, nodes[i].older)
            if newer >= 0 { nodes[newer].older = older } else { newest = older }
            if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
        }

        @inlinable mutating func pushNewest(_ i: Int) {
            nodes[i].newer = -1
            nodes[i].older = newest
            if newest >= 0 { nodes[newest].newer = i }
            newest = i
            if oldest < 0 { oldest = i }
        }

        @inlinable mutating func remove(_ i: Int) {
            unlink(i)
            index[nodes[i].key] = nil
            stats.cost -= nodes[i].cost
            stats.entries -= 1
            nodes[i].value = nil
            free.append(i)
        }
    }

    @usableFromInline let state: Locked<State>
    @usableFromInline let costOf: @Sendable (Key, Value) -> Int

    /// A cache whose entries cost `cost(key, value)` each, at most `capacity` in all.
    public init(capacity: Int, cost: @escaping @Sendable (Key, Value) -> Int) {
        var initial = State()
        initial.stats.capacity = max(0, capacity)
        state = Locked(initial)
        costOf = cost
    }

    /// The value of `key`, marking it most recently used; counts a hit or a miss.
    @inlinable
    public func get(_ key: Key) -> Value? {
        state.withLock { s in
            guard let i = s.index[key] else {
                s.stats.misses += 1
                return nil
            }
            s.stats.hits += 1
            s.unlink(i)
            s.pushNewest(i)
            return s.nodes[i].value
        }
    }

    /// Stores `value` as the most recently used entry, evicting the least recently used ones
    /// until it fits. An entry costing more than the whole capacity is not stored (and evicts nothing).
    @inlinable
    public func put(_ key: Key, _ value: Value) {
        let cost = costOf(key, value)
        state.withLock { s in
            if let existing = s.index[key] { s.remove(existing) }
            guard cost <= s.stats.capacity else { return }
            while s.stats.cost + cost > s.stats.capacity, s.oldest >= 0 {
                s.remove(s.oldest)
                s.stats.evictions += 1
            }
            let node = Node(key: key, value: value, cost: cost)
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
            s.stats.cost += cost
            s.stats.entries += 1
        }
    }

    /// Counters and occupancy.
    public var stats: Stats { state.withLock { $0.stats } }

    /// Every entry, least recently used first: putting them back in this order restores the
    /// recency order too (for snapshots).
    public func entries() -> [(key: Key, value: Value)] {
        state.withLock { s in
            var out: [(key: Key, value: Value)] = []
            out.reserveCapacity(s.stats.entries)
            var i = s.oldest
            while i >= 0 {
                if let value = s.nodes[i].value { out.append((s.nodes[i].key, value)) }
                i = s.nodes[i].newer
            }
            return out
        }
    }

    /// Drops every entry (counters are kept).
    public func removeAll() {
        state.withLock { s in
            var emptied = State()
            emptied.stats = s.stats
            emptied.stats.entries = 0
            emptied.stats.cost = 0
            s = emptied
        }
    }
}
