// Test data from the shared seeded generator.
import SteerRandom

extension SeededRandom {
    /// A small integer in `range` as a Float: sums of such products are exact in float32, so
    /// BLAS and the naive loop produce bit-identical scores and ties stay ties.
    mutating func smallInt(_ range: ClosedRange<Int>) -> Float { Float(Int.random(in: range, using: &self)) }
}
