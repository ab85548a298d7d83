// Seed derivation and bounded draws, so every task is reproducible on its own.

internal import SteerData
import SteerRandom

/// Derives independent random streams from a base seed and a task's coordinates.
///
/// Each draw uses a generator seeded from (seed, purpose, coordinates) rather than one stream
/// walked in user order: a user's task then does not depend on which other users were built
/// before it, so subsets, reorderings and parallel builds give identical tasks.
public enum TaskRandom {
    /// A generator determined by `seed` and `parts` (order matters).
    public static func generator(seed: UInt64, _ parts: UInt64...) -> SeededRandom {
        SeededRandom(seed: mix(seed, parts))
    }

    /// A generator determined by `seed` and `parts` (order matters).
    public static func generator(seed: UInt64, _ parts: [UInt64]) -> SeededRandom {
        SeededRandom(seed: mix(seed, parts))
    }

    /// Folds `parts` into `seed` with SplitMix64 finalizers (each step avalanches all bits).
    static func mix(_ seed: UInt64, _ parts: [UInt64]) -> UInt64 {
        var state = seed
        for part in parts {
            var generator = SeededRandom(seed: state ^ (part &* 0xD6E8_FEB8_6659_FD93))
            state = generator.next()
        }
        var generator = SeededRandom(seed: state)
        return generator.next()
    }

    /// A draw in `0..<count` (count ≥ 1) by the multiply-high method.
    ///
    /// Written out rather than `Int.random(in:using:)` so the mapping from bits to indexes is
    /// ours and cannot change with the standard library; the bias is below count / 2⁶⁴.
    public static func index(_ count: Int, using generator: inout SeededRandom) -> Int {
        precondition(count >= 1, "cannot draw from an empty range")
        return Int(UInt64(count).multipliedFullWidth(by: generator.next()).high)
    }

    /// Purpose tags, so the streams of different decisions never coincide.
    enum Purpose: UInt64 {
        case positive = 1, negative = 2, template = 3, trainingCuts = 4, trainingWindow = 5, redraw = 6, compound = 7
    }
}
