// A tiny seeded random generator, so generated training phrasings and splits are reproducible.

/// SplitMix64 (Steele et al. 2014): 64 bits of state, good enough for sampling templates.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform index below `n` (n > 0).
    mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A uniform element of `list`.
    mutating func pick<T>(_ list: [T]) -> T { list[index(list.count)] }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}
