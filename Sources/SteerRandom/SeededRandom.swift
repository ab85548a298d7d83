// The seeded random generator every reproducible draw uses: task sampling, training prompts, the
// router's generated phrasings, benchmark and test data, and the seeding of SteerNN's RNG.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): 64 bits of state, fast, and fully determined by its seed,
/// unlike `SystemRandomNumberGenerator`. Use it wherever a result must be reproducible across runs
/// and machines. (SteerNN's `RNG`, xoshiro256**, is the faster stream for weight initialisation
/// and dropout; it seeds its four words from this generator.)
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

    /// An index below `n` (n > 0), as `next() % n`: cheap, with a bias of at most n / 2⁶⁴.
    public mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// An element of `list` (not empty), drawn with ``index(_:)``.
    public mutating func pick<T>(_ list: [T]) -> T { list[index(list.count)] }

    /// True with probability `p` (53 random bits).
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    /// Uniform in [-1, 1) with 24 random bits.
    public mutating func nextSigned() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    /// A standard normal sample (Box–Muller on two 53-bit uniforms).
    public mutating func nextGaussian() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
