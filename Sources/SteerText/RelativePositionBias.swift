// MPNet's relative-position attention bias: T5-style bidirectional log buckets, one learned
// scalar per (bucket, head), shared by all layers.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import SteerNN

/// The bias MPNet adds to each attention score: `table[bucket(j − i), h]`.
struct RelativePositionBias: Sendable {
    let table: FloatBuffer          // [buckets, H]
    let heads: Int
    /// bucket(j − i) for j − i in −(L−1)…(L−1), indexed by j − i + L − 1.
    private let buckets: [Int32]
    private let maxLength: Int

    init(table: FloatBuffer, buckets: Int, heads: Int, maxLength: Int, maxDistance: Int = 128) {
        self.table = table
        self.heads = heads
        self.maxLength = maxLength
        self.buckets = (-(maxLength - 1)...(maxLength - 1)).map {
            Int32(Self.bucket(relativePosition: $0, buckets: buckets, maxDistance: maxDistance))
        }
    }

    /// HF `MPNetEncoder.relative_position_bucket`: half the buckets per direction; distances
    /// below a quarter of the buckets each get their own bucket, longer ones share logarithmic
    /// buckets up to `maxDistance`. Computed in Float32 like the reference, so the bucket
    /// edges (where the log ratio is an exact integer) round the same way.
    static func bucket(relativePosition: Int, buckets: Int, maxDistance: Int) -> Int {
        let half = buckets / 2
        var n = -relativePosition
        var result = n < 0 ? half : 0
        n = abs(n)
        let maxExact = half / 2
        if n < maxExact { return result + n }
        let ratio = logf(Float(n) / Float(maxExact)) / Float(log(Double(maxDistance) / Double(maxExact)))
        let large = maxExact + Int(ratio * Float(half - maxExact))
        result += min(large, half - 1)
        return result
    }

    /// scores[i, j] += table[bucket(j − i), h] for one head of a T-row sequence.
    func add(to scores: UnsafeMutablePointer<Float>, head h: Int, length t: Int) {
        let values = table.ptr
        buckets.withUnsafeBufferPointer { buckets in
            for i in 0..<t {
                let row = scores + i * t
                let base = maxLength - 1 - i
                for j in 0..<t { row[j] += values[Int(buckets[base + j]) * heads + h] }
            }
        }
    }
}
