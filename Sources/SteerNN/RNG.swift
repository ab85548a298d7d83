// Seeded random numbers (xoshiro256**) and the weight-initialisation fills built on them.
import SteerRandom
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// xoshiro256** seeded through SplitMix64: fast, reproducible across platforms, 2^256 − 1 period.
///
/// A value type: copying it forks the stream, so pass it `inout` to ops that draw from it.
public struct RNG: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words with consecutive SplitMix64 outputs (never all zero).
    public init(seed: UInt64) {
        var seeder = SeededRandom(seed: seed)
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @usableFromInline @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable).
    @inlinable @inline(__always)
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal draw (Box–Muller; the second value is discarded to keep the state simple).
    public mutating func normal() -> Float {
        // 1 - u keeps the log argument in (0, 1].
        let u1 = 1 - Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float(sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2))
    }

    /// Uniform integer in `0..<bound` (bound > 0), via Lemire's multiply-shift (bias < 2⁻³²·bound).
    @inlinable
    public mutating func below(_ bound: Int) -> Int {
        Int((UInt64(UInt32(truncatingIfNeeded: next() >> 32)) &* UInt64(bound)) >> 32)
    }

    // MARK: Initialisation fills

    /// x[i] ~ U(lo, hi).
    public mutating func fillUniform(_ x: UnsafeMutablePointer<Float>, count n: Int, lo: Float, hi: Float) {
        for i in 0..<n { x[i] = lo + (hi - lo) * uniform() }
    }

    /// x[i] ~ N(mean, std²).
    public mutating func fillNormal(_ x: UnsafeMutablePointer<Float>, count n: Int, mean: Float = 0, std: Float) {
        for i in 0..<n { x[i] = mean + std * normal() }
    }

    /// x[i] ~ N(0, std²) redrawn until |x| ≤ bound·std (PyTorch's `trunc_normal_` with a = −b).
    public mutating func fillTruncatedNormal(_ x: UnsafeMutablePointer<Float>, count n: Int, std: Float, bound: Float = 2) {
        for i in 0..<n {
            var v = normal()
            while abs(v) > bound { v = normal() }
            x[i] = std * v
        }
    }

    /// Xavier/Glorot uniform for a weight W[fanOut, fanIn]: U(±sqrt(6 / (fanIn + fanOut))).
    public mutating func fillXavierUniform(_ w: UnsafeMutablePointer<Float>, fanOut: Int, fanIn: Int) {
        let a = Float(sqrt(6.0 / Double(fanIn + fanOut)))
        fillUniform(w, count: fanOut * fanIn, lo: -a, hi: a)
    }

    /// Xavier/Glorot normal for a weight W[fanOut, fanIn]: N(0, 2 / (fanIn + fanOut)).
    public mutating func fillXavierNormal(_ w: UnsafeMutablePointer<Float>, fanOut: Int, fanIn: Int) {
        fillNormal(w, count: fanOut * fanIn, std: Float(sqrt(2.0 / Double(fanIn + fanOut))))
    }
}
