// A seeded random generator so shuffles and draws are reproducible across runs and machines.

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and fully determined by its seed, unlike
/// `SystemRandomNumberGenerator`. Use it wherever a result must be reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole output is determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
