// The user-vector cache's key: a model generation and a history, hashed once (a key is hashed on
// every lookup, and a history may hold hundreds of ids) and compared in full, so a hash collision
// is a miss and never another user's vector.
struct UserVectorKey: Hashable, Sendable {
    /// The serving model's generation: a new generation never sees an older one's vectors.
    let generation: UInt64
    let history: [UInt32]
    /// A 64-bit FNV-1a hash of the ids (deterministic across processes).
    private let digest: UInt64

    init(generation: UInt64, history: [UInt32]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for id in history {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash = (hash ^ UInt64((id >> UInt32(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
            }
        }
        self.generation = generation
        self.history = history
        digest = hash
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(generation)
        hasher.combine(digest)
    }

    static func == (a: Self, b: Self) -> Bool { a.digest == b.digest && a.generation == b.generation && a.history == b.history }

    /// What one entry is charged: the vector's and the history's 4-byte values, plus bookkeeping.
    static func cost(_ key: Self, _ user: [Float]) -> Int { 4 * (user.count + key.history.count) + 128 }
}
