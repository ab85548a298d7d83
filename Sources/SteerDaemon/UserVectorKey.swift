// The user-vector cache's key and entry for a history: a short key whatever the history's length,
// and an entry that carries the history, so a hash collision is a miss and never another user's vector.
struct UserVectorKey {
    /// The history's length and a 64-bit FNV-1a hash of its ids (deterministic across processes).
    ///
    /// Short, because a key is hashed and compared on every lookup: with the ids spelled out (and,
    /// then, normalised as prompt text), a 200-item history made that most of Recommend's time.
    let text: String
    let history: [UInt32]

    init(_ history: [UInt32]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for id in history {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash = (hash ^ UInt64((id >> UInt32(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
            }
        }
        text = "\(history.count):\(String(hash, radix: 36))"
        self.history = history
    }

    /// What the cache stores: the d-float user vector, then the history's ids as float bit patterns.
    func entry(user: [Float]) -> [Float] { user + history.map { Float(bitPattern: $0) } }

    /// The user vector of a cached `entry` if it was stored for this very history, else nil.
    func user(from entry: [Float], dimension d: Int) -> [Float]? {
        guard entry.count == d + history.count, zip(entry[d...], history).allSatisfy({ $0.bitPattern == $1 }) else { return nil }
        return Array(entry[..<d])
    }
}
